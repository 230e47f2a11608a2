/**
 * The token cache: modes, atomic locked updates under concurrent processes, stale locks, and a
 * corrupted file that is reported (without its content) and never replaced.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CachedTokens, TokenCache, tokenCacheKey } from "../../src/auth/token-cache.js";
import { cachedTokens } from "../../src/invoke/integrations.js";
import { MemoryOutput } from "../../src/ui/output.js";
import { REPO_ROOT, tempDir } from "../support/cli.js";
import { failureOf } from "../support/cognito-local.js";
import { runNodeScript } from "../support/node-script.js";

const FAKE_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0dXNlciIsImV4cCI6MX0.c2lnbmF0dXJlc2lnbmF0dXJl";

function entry(overrides: Partial<CachedTokens> = {}): CachedTokens {
  return {
    userPoolId: "us-east-1_Pool1",
    clientId: "client1",
    username: "testuser",
    region: "us-east-1",
    issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1",
    local: false,
    accessToken: FAKE_JWT,
    accessTokenExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
    refreshToken: "opaque-refresh-token-value",
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

function cacheIn(home = tempDir("agentcore-ts-home-")): TokenCache {
  return new TokenCache({ AGENTCORE_TS_HOME: home });
}

describe("token cache", () => {
  it("stores entries keyed by pool, client and user in a 0600 file inside a 0700 directory", async () => {
    const home = path.join(tempDir(), "nested-home");
    const cache = cacheIn(home);
    expect(await cache.entries()).toEqual([]);
    await cache.put(entry());
    await cache.put(entry({ username: "alice" }));
    await cache.put(entry({ accessTokenExpiresAt: new Date(Date.now() + 60_000).toISOString() })); // replaces testuser's
    expect((await cache.entries()).map((e) => e.username).sort()).toEqual(["alice", "testuser"]);
    expect((await cache.get({ userPoolId: "us-east-1_Pool1", clientId: "client1", username: "alice" }))?.username).toBe("alice");
    expect(tokenCacheKey(entry())).toBe("us-east-1_Pool1/client1/testuser");
    expect((await fsp.stat(home)).mode & 0o777).toBe(0o700);
    expect((await fsp.stat(cache.file)).mode & 0o777).toBe(0o600);
    expect(await cache.remove((e) => e.username === "alice")).toBe(1);
    expect((await cache.entries()).map((e) => e.username)).toEqual(["testuser"]);
    // No lock or temp file is left behind.
    // No lock or temporary file is left behind (cache/ holds the validation memo).
    expect((await fsp.readdir(home)).filter((name) => name !== "cache").sort()).toEqual(["tokens.json"]);
  });

  it("reports a corrupted cache without quoting it, and never replaces it", async () => {
    const cache = cacheIn();
    await fsp.mkdir(path.dirname(cache.file), { recursive: true });
    const broken = `{"version":1,"entries":{"x":{"accessToken":"${FAKE_JWT}"`; // truncated
    await fsp.writeFile(cache.file, broken, { mode: 0o600 });
    await expect(cache.entries()).rejects.toMatchObject({ code: "TokenCacheCorrupt" });
    const failure = await failureOf(cache.put(entry()));
    expect(failure.message).toContain(cache.file);
    expect(failure.message).not.toContain("eyJ");
    expect(failure.hint).toMatch(/mv .*tokens\.json .*\.broken/);
    expect(await fsp.readFile(cache.file, "utf8")).toBe(broken);

    await fsp.writeFile(cache.file, JSON.stringify({ version: 1, entries: { x: { accessToken: FAKE_JWT } } }));
    const shapeFailure = await failureOf(cache.entries());
    expect(shapeFailure.message).toMatch(/unexpected content at entries\.x/);
    expect(shapeFailure.message).not.toContain("eyJ");
  });

  it("breaks a lock left by a dead process, and waits for a live one", async () => {
    const cache = cacheIn();
    await cache.put(entry());
    await fsp.writeFile(
      cache.lockFile,
      JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), at: Date.now(), nonce: "dead" }),
    );
    await cache.put(entry({ username: "after-dead-lock" }));
    expect((await cache.entries()).length).toBe(2);

    // A live holder (this process) releases after 300 ms: the update waits, then goes through.
    await fsp.writeFile(
      cache.lockFile,
      JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), at: Date.now(), nonce: "live" }),
    );
    const started = Date.now();
    setTimeout(() => void fsp.rm(cache.lockFile), 300);
    await cache.put(entry({ username: "after-live-lock" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await cache.entries()).length).toBe(3);
  });

  it("loses nothing when several processes update it at once", async () => {
    const home = tempDir("agentcore-ts-home-");
    const workers = 6;
    const perWorker = 15;
    const script = `
      const { TokenCache } = await import(${JSON.stringify(path.join(REPO_ROOT, "dist/auth/token-cache.js"))});
      const cache = new TokenCache(process.env);
      const base = JSON.parse(process.env.ENTRY);
      for (let i = 0; i < ${perWorker}; i++) {
        await cache.put({ ...base, username: process.env.WORKER + "-" + i, updatedAt: new Date().toISOString() });
      }`;
    const run = (worker: number) =>
      runNodeScript(script, { ...process.env, AGENTCORE_TS_HOME: home, WORKER: `w${worker}`, ENTRY: JSON.stringify(entry()) });
    const codes = await Promise.all(Array.from({ length: workers }, (_, i) => run(i)));
    expect(codes).toEqual(Array(workers).fill(0));
    const entries = await new TokenCache({ AGENTCORE_TS_HOME: home }).entries();
    expect(entries.length).toBe(workers * perWorker);
    // No lock or temporary file is left behind (cache/ holds the validation memo).
    expect((await fsp.readdir(home)).filter((name) => name !== "cache").sort()).toEqual(["tokens.json"]);
  });
});

describe("invoke's cached token source with a valid cached token", () => {
  it("returns it without making the AWS client factory (no region resolved, no client loaded on the everyday call)", async () => {
    const home = tempDir("agentcore-ts-home-");
    await cacheIn(home).put(entry());
    let made = 0;
    const source = cachedTokens(async () => {
      made++;
      throw new Error("not needed");
    }, new MemoryOutput());
    const token = await source.get({ env: { AGENTCORE_TS_HOME: home }, minValiditySeconds: 120 });
    expect([token.token, token.source, made]).toEqual([FAKE_JWT, "cache", 0]);
  });
});
