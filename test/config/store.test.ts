import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findConfigFile, loadConfig, selectAgent, updateConfig } from "../../src/config/store.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir } from "../support/cli.js";

const agent = {
  name: "my_agent",
  entrypoint: "agent.py",
  language: "python",
};

describe("config store", () => {
  it("finds .agentcore.json in a parent directory, like git", async () => {
    const root = tempDir();
    const nested = path.join(root, "a", "b");
    await fsp.mkdir(nested, { recursive: true });
    await fsp.writeFile(path.join(root, ".agentcore.json"), JSON.stringify({ version: 1, agents: {} }));
    expect(await findConfigFile(nested)).toBe(path.join(root, ".agentcore.json"));
  });

  it("keeps fields it does not know when updating", async () => {
    const root = tempDir();
    const file = path.join(root, ".agentcore.json");
    await fsp.writeFile(file, JSON.stringify({ version: 1, agents: { my_agent: { ...agent, futureField: 42 } }, extra: { a: 1 } }));
    await updateConfig(file, (config) => {
      config.defaultAgent = "my_agent";
    });
    const written = JSON.parse(await fsp.readFile(file, "utf8"));
    expect(written.extra).toEqual({ a: 1 });
    expect(written.agents.my_agent.futureField).toBe(42);
    expect(written.defaultAgent).toBe("my_agent");
  });

  it("names the file and the field path of an invalid value, and never overwrites it", async () => {
    const root = tempDir();
    const file = path.join(root, ".agentcore.json");
    const broken = JSON.stringify({
      version: 1,
      agents: {
        my_agent: { ...agent, authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: "https://x/y", allowedClients: ["c"] } } },
      },
    });
    await fsp.writeFile(file, broken);
    const failure = updateConfig(file, () => {});
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/agents\.my_agent\.authorizerConfiguration\.customJWTAuthorizer\.discoveryUrl/);
    await expect(failure).rejects.toThrow(file);
    expect(await fsp.readFile(file, "utf8")).toBe(broken);
  });

  it("refuses a file that is not JSON without touching it", async () => {
    const root = tempDir();
    const file = path.join(root, ".agentcore.json");
    await fsp.writeFile(file, "{ not json");
    await expect(loadConfig(root)).rejects.toThrow(/is not valid JSON/);
    await expect(updateConfig(file, () => {})).rejects.toThrow(ConfigError);
    expect(await fsp.readFile(file, "utf8")).toBe("{ not json");
  });

  it("names a hand-misspelt key with the field it was meant to be", async () => {
    const root = tempDir();
    const file = path.join(root, ".agentcore.json");
    const jwt = { discoveryUrl: "https://issuer.example/.well-known/openid-configuration", allowedClient: ["c"] };
    await fsp.writeFile(
      file,
      JSON.stringify({ version: 1, agents: { my_agent: { ...agent, authorizerConfiguration: { customJWTAuthorizer: jwt } } } }),
    );
    await expect(loadConfig(root)).rejects.toThrow(
      /agents\.my_agent\.authorizerConfiguration\.customJWTAuthorizer\.allowedClient: not a field of \.agentcore\.json, did you mean "allowedClients"\?/,
    );
  });

  it("places a JSON syntax error by line and column", async () => {
    const root = tempDir();
    await fsp.writeFile(path.join(root, ".agentcore.json"), '{\n  "version": 1,\n  "agents" {}\n}\n');
    await expect(loadConfig(root)).rejects.toThrow(/is not valid JSON: .* at line 3, column 12\.$/);
    await fsp.writeFile(path.join(root, ".agentcore.json"), '{\n  "version": 1,\n');
    await expect(loadConfig(root)).rejects.toThrow(/at line 3, column 1\.$/);
  });

  it("refuses to write anything that looks like a token", async () => {
    const root = tempDir();
    const file = path.join(root, ".agentcore.json");
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0dXNlciJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    await expect(
      updateConfig(file, (config) => {
        config.agents.my_agent = {
          ...agent,
          language: "python",
          platform: "linux/arm64",
          executionRole: "auto",
          ecrRepository: "auto",
          requirementsFile: null,
          authorizerConfiguration: null,
          requestHeaderAllowlist: [],
          protocol: "HTTP",
          deployment: null,
          environmentVariables: { TOKEN: jwt },
        };
      }),
    ).rejects.toThrow(/looks like it holds a token/);
    await expect(fsp.access(file)).rejects.toThrow();
  });

  it("selects the default agent, the only agent, or fails naming the choices", async () => {
    const root = tempDir();
    const file = path.join(root, ".agentcore.json");
    await fsp.writeFile(file, JSON.stringify({ version: 1, agents: { a1: { ...agent, name: "a1" }, a2: { ...agent, name: "a2" } } }));
    const loaded = (await loadConfig(root))!;
    expect(() => selectAgent(loaded)).toThrow(/several agents/);
    expect(selectAgent(loaded, "a2").name).toBe("a2");
    expect(() => selectAgent(loaded, "nope")).toThrow(/No agent named "nope"/);
  });
});
