/**
 * `token get` in-process against oidc-provider on loopback: first token, cached reuse, re-fetch on
 * expiry (token get and getAccessToken, which invoke uses), the secret sources (stdin, env, the 0600
 * file only when asked), wrong secret, issuer down, and the browser and device flows into the cache.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { clientSecretsPath } from "../../../src/auth/client-secret.js";
import { TokenCache } from "../../../src/auth/token-cache.js";
import { forceRefresh, getAccessToken } from "../../../src/auth/tokens.js";
import { AwsClients } from "../../../src/aws/clients.js";
import { tokenGet } from "../../../src/commands/token/get.js";
import { createContext } from "../../../src/core/context.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { NonInteractivePrompter } from "../../../src/ui/prompts.js";
import { AUDIENCE, M2M_SECRET, signIn, USERS, useOidcProvider } from "../../fakes/oidc-provider.js";
import { freePort, tempDir, testEnv } from "../../support/cli.js";

const provider = useOidcProvider();

function context(env: NodeJS.ProcessEnv, stdin?: string) {
  const output = new MemoryOutput();
  const ctx = createContext({
    cwd: tempDir("agentcore-ts-proj-"),
    env,
    globals: { json: false, verbose: false, nonInteractive: true },
    output,
    prompter: new NonInteractivePrompter(),
    stdin: Readable.from(stdin === undefined ? [] : [stdin]),
  });
  return { ctx, output };
}

const m2m = () => ({ discoveryUrl: provider.op.discoveryUrl, clientId: "m2m-client", scopes: ["invoke"], resource: AUDIENCE });

describe("token get: client credentials", () => {
  it("first token from the issuer, then the cached one, then a new one once it is about to expire", async () => {
    const env = testEnv({ AGENTCORE_TS_CLIENT_SECRET: M2M_SECRET });
    const first = await tokenGet(m2m(), context(env).ctx);
    expect(first).toMatchObject({ flow: "client-credentials", source: "issuer", subject: "m2m-client", clientSecretSource: "env" });
    expect(first.claims).toMatchObject({ client_id: "m2m-client", aud: AUDIENCE });
    const second = await tokenGet(m2m(), context(env).ctx);
    expect(second.source).toBe("cache");
    expect(second.expiresAt).toBe(first.expiresAt);

    // Make the cached token expire within 2 minutes: token get and getAccessToken both fetch a new one.
    const cache = new TokenCache(env);
    await cache.update((data) => {
      for (const e of Object.values(data.entries)) e.accessTokenExpiresAt = new Date(Date.now() + 30_000).toISOString();
    });
    const third = await tokenGet(m2m(), context(env).ctx);
    expect(third.source).toBe("issuer");
    await cache.update((data) => {
      for (const e of Object.values(data.entries)) e.accessTokenExpiresAt = new Date(Date.now() + 30_000).toISOString();
    });
    const authorizer = { discoveryUrl: provider.op.discoveryUrl, allowedClients: ["m2m-client"] };
    const aws = new AwsClients({ region: "us-east-1" });
    const renewed = await getAccessToken({ authorizer, env, aws });
    expect(renewed.refreshed).toBe(true);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 500_000);
    const again = await forceRefresh({ authorizer, env, aws });
    expect(again.accessToken).not.toBe(renewed.accessToken);
    expect(await cache.entries()).toHaveLength(1);
  });

  it("reads the secret from stdin and saves it (0600) only when asked; nothing else holds it", async () => {
    const env = testEnv();
    const { ctx, output } = context(env, `${M2M_SECRET}\n`);
    const result = await tokenGet({ ...m2m(), clientSecretStdin: true, saveClientSecret: true }, ctx);
    expect(result.clientSecretSavedTo).toBe(clientSecretsPath(env));
    expect((await fsp.stat(clientSecretsPath(env))).mode & 0o777).toBe(0o600);
    // Later renewals find it in the file.
    const later = await tokenGet({ ...m2m(), force: true }, context(env).ctx);
    expect(later).toMatchObject({ source: "issuer", clientSecretSource: "file" });
    const home = env.AGENTCORE_TS_HOME!;
    const others = (await fsp.readdir(home, { recursive: true })).filter((f) => f !== path.basename(clientSecretsPath(env)));
    for (const file of others) {
      const full = path.join(home, file);
      if ((await fsp.stat(full)).isFile()) expect(await fsp.readFile(full, "utf8")).not.toContain(M2M_SECRET);
    }
    expect(JSON.stringify([result, output.lines])).not.toContain(M2M_SECRET);

    const unsaved = testEnv();
    await tokenGet({ ...m2m(), clientSecretStdin: true }, context(unsaved, M2M_SECRET).ctx);
    await expect(fsp.stat(clientSecretsPath(unsaved))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("without a secret it says where one can come from; a wrong one gives the issuer's error", async () => {
    await expect(tokenGet({ ...m2m(), flow: "client-credentials" }, context(testEnv()).ctx)).rejects.toMatchObject({
      code: "ClientSecretRequired",
      hint: expect.stringContaining("--client-secret-stdin"),
    });
    await expect(tokenGet(m2m(), context(testEnv({ AGENTCORE_TS_CLIENT_SECRET: "not-it" })).ctx)).rejects.toMatchObject({
      code: "OAuthError",
      message: expect.stringContaining("invalid_client"),
    });
  });

  it("an issuer that is down", async () => {
    const port = await freePort();
    await expect(
      tokenGet(
        { ...m2m(), discoveryUrl: `http://127.0.0.1:${port}/.well-known/openid-configuration` },
        context(testEnv({ AGENTCORE_TS_CLIENT_SECRET: M2M_SECRET })).ctx,
      ),
    ).rejects.toMatchObject({ code: "IssuerUnreachable" });
  });
});

describe("token get: browser and device sign-in", () => {
  it("authorization code + PKCE: prints the URL, signs in, caches the tokens and renews with the refresh token", async () => {
    const env = testEnv();
    const { ctx, output } = context(env);
    const pending = tokenGet(
      {
        discoveryUrl: provider.op.discoveryUrl,
        clientId: "web-client",
        scopes: ["openid", "offline_access", "invoke"],
        redirectPort: provider.redirectPort,
        noBrowser: true,
        timeoutSeconds: 20,
      },
      ctx,
    );
    await expect.poll(() => output.lines.find((l) => l.includes("/auth?"))).toBeTruthy();
    const url = output.lines.find((l) => l.includes("/auth?"))!.trim();
    await signIn(url, { login: "alice", password: USERS.alice });
    const result = await pending;
    expect(result).toMatchObject({ flow: "authorization-code", subject: "alice", refreshToken: true, source: "issuer" });

    const cache = new TokenCache(env);
    await cache.update((data) => {
      for (const e of Object.values(data.entries)) e.accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    });
    const renewed = await getAccessToken({
      authorizer: { discoveryUrl: provider.op.discoveryUrl, allowedClients: ["web-client"] },
      env,
      aws: new AwsClients({ region: "us-east-1" }),
    });
    expect(renewed.refreshed).toBe(true);
    expect(renewed.claims.sub).toBe("alice");
  });

  it("device code: shows the code and gets tokens once the user signed in", async () => {
    const env = testEnv();
    const { ctx, output } = context(env);
    const pending = tokenGet(
      { discoveryUrl: provider.op.discoveryUrl, clientId: "device-client", flow: "device", scopes: ["openid", "offline_access", "invoke"] },
      ctx,
    );
    await expect.poll(() => output.lines.find((l) => l.includes("(or open "))).toBeTruthy();
    const complete = /\(or open (\S+)\)/.exec(output.lines.find((l) => l.includes("(or open "))!)![1];
    await signIn(complete, { login: "alice", password: USERS.alice });
    expect(await pending).toMatchObject({ flow: "device", subject: "alice", refreshToken: true });
  });
});
