import { promises as fsp, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { TokenCache } from "../../src/auth/token-cache.js";
import { readConfigFile } from "../../src/config/store.js";
import { memoFile, validateOnce } from "../../src/config/validation-memo.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir } from "../support/cli.js";

function setup() {
  const home = tempDir();
  const env = { AGENTCORE_TS_HOME: home };
  const schemaModule = path.join(tempDir(), "schema.ts");
  writeFileSync(schemaModule, "export {};\n");
  let validations = 0;
  const once = (file: string, text: string) =>
    validateOnce({
      env,
      file,
      text,
      raw: JSON.parse(text),
      modules: [pathToFileURL(schemaModule.replace(/\.ts$/, ".js"))],
      validate: async (raw) => {
        validations += 1;
        return { ...(raw as object), filled: "by the schema" };
      },
    });
  return { env, schemaModule, once, validations: () => validations };
}

describe("validation memo", () => {
  it("validates the same bytes once, and again when they change", async () => {
    const { once, validations } = setup();
    const file = path.join(tempDir(), "a.json");
    expect(await once(file, '{"a":1}')).toEqual({ a: 1, filled: "by the schema" });
    // The second read returns the remembered validated value, defaults included.
    expect(await once(file, '{"a":1}')).toEqual({ a: 1, filled: "by the schema" });
    expect(validations()).toBe(1);
    expect(await once(file, '{"a":2}')).toEqual({ a: 2, filled: "by the schema" });
    expect(validations()).toBe(2);
  });

  it("validates again when the schema module changes", async () => {
    const { once, validations, schemaModule } = setup();
    const file = path.join(tempDir(), "a.json");
    await once(file, '{"a":1}');
    const { mtime } = statSync(schemaModule);
    utimesSync(schemaModule, mtime, new Date(mtime.getTime() + 5000));
    await once(file, '{"a":1}');
    expect(validations()).toBe(2);
  });

  it("ignores a damaged memo, and works with a home that cannot take one", async () => {
    const { env, once, validations } = setup();
    const file = path.join(tempDir(), "a.json");
    await once(file, '{"a":1}');
    await fsp.writeFile(memoFile(env), "{ not json");
    expect(await once(file, '{"a":1}')).toEqual({ a: 1, filled: "by the schema" });
    expect(validations()).toBe(2);

    const notADirectory = path.join(tempDir(), "home-file");
    writeFileSync(notADirectory, "");
    const config = path.join(tempDir(), ".agentcore.json");
    writeFileSync(config, JSON.stringify({ version: 1, agents: {} }));
    await expect(readConfigFile(config, { AGENTCORE_TS_HOME: notADirectory })).resolves.toMatchObject({ agents: {} });
  });

  it("never remembers an invalid .agentcore.json, and finds an edit that broke a remembered one", async () => {
    const env = { AGENTCORE_TS_HOME: tempDir() };
    const file = path.join(tempDir(), ".agentcore.json");
    const agent = { name: "a1", entrypoint: "agent.py", language: "python" };
    writeFileSync(file, JSON.stringify({ version: 1, agents: { a1: agent } }));
    const first = await readConfigFile(file, env);
    // The schema's defaults come back from the memo too.
    expect(first.agents.a1?.platform).toBe("linux/arm64");
    expect(await readConfigFile(file, env)).toEqual(first);
    writeFileSync(file, JSON.stringify({ version: 1, agents: { a1: { ...agent, language: "rust" } } }));
    await expect(readConfigFile(file, env)).rejects.toThrow(ConfigError);
    await expect(readConfigFile(file, env)).rejects.toThrow(/agents\.a1\.language/);
  });

  it("keeps no token of the token cache, and its file is private", async () => {
    const env = { AGENTCORE_TS_HOME: tempDir() };
    const cache = new TokenCache(env);
    await cache.put({
      userPoolId: "local_pool",
      clientId: "client",
      username: "alice",
      region: "us-east-1",
      issuer: "http://127.0.0.1:1/local_pool",
      local: true,
      accessToken: "secret-access-token-value",
      accessTokenExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
      refreshToken: "secret-refresh-token-value",
      updatedAt: new Date().toISOString(),
    });
    expect((await cache.entries()).map((entry) => entry.username)).toEqual(["alice"]);
    expect((await cache.entries()).map((entry) => entry.username)).toEqual(["alice"]);
    const memo = await fsp.readFile(memoFile(env), "utf8");
    expect(memo).toContain("tokens.json");
    expect(memo).not.toContain("secret-");
    expect(statSync(memoFile(env)).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(memoFile(env))).mode & 0o777).toBe(0o700);
  });

  it("finds a hand-damaged token cache after it was remembered", async () => {
    const env = { AGENTCORE_TS_HOME: tempDir() };
    const cache = new TokenCache(env);
    await fsp.writeFile(cache.file, JSON.stringify({ version: 1, entries: {} }));
    expect(await cache.entries()).toEqual([]);
    await fsp.writeFile(cache.file, JSON.stringify({ version: 1, entries: { x: { username: "" } } }));
    await expect(cache.entries()).rejects.toThrow(/unexpected content/);
  });
});
