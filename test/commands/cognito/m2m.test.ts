/**
 * `cognito setup --local --m2m` against a private embedded Cognito (real SDK, real token endpoint):
 * resource server, domain, confidential client, a first client-credentials token whose claims are a
 * real Cognito M2M token's, signed with a key the JWKS serves; a rerun reuses everything; `token get`
 * reuses and re-fetches (the secret read back from Cognito, never stored); wrong secret and scope;
 * and no file the commands wrote, nor any output, holds the client secret or a full token. The
 * browser sign-in: renewal, a revoked refresh token (code flow, and the user-password one's fallback),
 * no device flow; the issuer down (another program on the port, then stopped and started on demand).
 */
import { promises as fsp } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import {
  DescribeUserPoolClientCommand,
  DescribeUserPoolDomainCommand,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenCache } from "../../../src/auth/token-cache.js";
import { cognitoDelete } from "../../../src/commands/cognito/delete.js";
import { cognitoSetup } from "../../../src/commands/cognito/setup.js";
import { tokenGet } from "../../../src/commands/token/get.js";
import { tokenRefresh } from "../../../src/commands/token/refresh.js";
import { createContext } from "../../../src/core/context.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { NonInteractivePrompter } from "../../../src/ui/prompts.js";
import { signIn } from "../../fakes/oidc-provider.js";
import { freePort, tempDir, testEnv } from "../../support/cli.js";
import { failureOf, type PrivateCognito, portOpen, startPrivateCognito } from "../../support/cognito-local.js";

let cognito: PrivateCognito;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  cognito = await startPrivateCognito();
  env = testEnv({ ...cognito.env, COGNITO_PASSWORD: "Known-Passw0rd!" });
});
afterAll(async () => cognito?.stop());

function context(cwd: string, extra: NodeJS.ProcessEnv = {}) {
  const output = new MemoryOutput();
  const ctx = createContext({
    cwd,
    env: { ...env, ...extra },
    globals: { json: false, verbose: false, nonInteractive: true },
    output,
    prompter: new NonInteractivePrompter(),
    stdin: Readable.from([]),
  });
  return { ctx, output };
}

async function filesUnder(dir: string): Promise<string[]> {
  const names = await fsp.readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    if ((await fsp.stat(full)).isFile()) files.push(full);
  }
  return files;
}

describe("cognito setup --local --m2m", () => {
  it("sets up the M2M resources, gets a real-looking M2M token, reuses everything on a rerun; token get reuses and re-fetches", async () => {
    const cwd = tempDir("agentcore-ts-proj-");
    const first = context(cwd);
    const result = await cognitoSetup({ local: true, m2m: true, scopes: ["read"] }, first.ctx);
    const m2m = result.m2m!;
    expect(m2m).toMatchObject({
      resourceServer: { status: "created" },
      domain: { status: "created" },
      client: { status: "created" },
    });
    const rs = m2m.resourceServer.identifier;
    const config = JSON.parse(await fsp.readFile(path.join(cwd, ".agentcore.json"), "utf8"));
    expect(config.cognito.m2m).toEqual({
      clientId: m2m.client.id,
      clientName: m2m.client.name,
      resourceServer: rs,
      scopes: [`${rs}/invoke`, `${rs}/read`],
      domain: m2m.domain.name,
      tokenEndpoint: `${cognito.endpoint}/oauth2/token`,
    });

    // The discovery document now names the token endpoint; the cached token is a Cognito M2M access token.
    const discovery = await (await fetch(result.discoveryUrl)).json();
    expect(discovery.token_endpoint).toBe(`${cognito.endpoint}/oauth2/token`);
    const entry = (await new TokenCache(env).entries()).find((e) => e.clientId === m2m.client.id)!;
    const { payload, protectedHeader } = await jwtVerify(entry.accessToken, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: discovery.issuer,
    });
    expect(protectedHeader.kid).toBe("CognitoLocal");
    expect(payload).toMatchObject({
      client_id: m2m.client.id,
      sub: m2m.client.id,
      token_use: "access",
      scope: `${rs}/invoke ${rs}/read`,
      version: 2,
    });
    expect(payload.username).toBeUndefined();
    expect(payload.aud).toBeUndefined();
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);

    const again = await cognitoSetup({ local: true, m2m: true, scopes: ["read"] }, context(cwd).ctx);
    expect(again.m2m).toMatchObject({
      resourceServer: { status: "reused" },
      domain: { status: "reused" },
      client: { status: "reused", id: m2m.client.id },
    });

    const cached = await tokenGet({}, context(cwd).ctx);
    expect(cached).toMatchObject({ flow: "client-credentials", source: "cache", clientId: m2m.client.id, subject: m2m.client.id });
    const fresh = await tokenGet({ force: true }, context(cwd).ctx);
    expect(fresh).toMatchObject({ source: "issuer", clientSecretSource: "cognito" });
    expect(decodeJwt((await new TokenCache(env).entries()).find((e) => e.clientId === m2m.client.id)!.accessToken).scope).toBe(
      `${rs}/invoke ${rs}/read`,
    );

    // Wrong secret, and a scope the client is not allowed: the token endpoint's errors, with hints.
    const wrong = await failureOf(tokenGet({ force: true }, context(cwd, { AGENTCORE_TS_CLIENT_SECRET: "not-the-secret" }).ctx));
    expect(wrong).toMatchObject({ code: "OAuthError", message: expect.stringContaining("invalid_client") });
    const scoped = await failureOf(tokenGet({ force: true, scopes: ["other/scope"] }, context(cwd).ctx));
    expect(scoped).toMatchObject({ code: "OAuthError", message: expect.stringContaining("invalid_scope") });

    // Secrets: the client secret appears in no file either command wrote, nor in any output; tokens only in the cache.
    const sdk = await cognito.client();
    const secret = (await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: result.userPool.id, ClientId: m2m.client.id })))
      .UserPoolClient!.ClientSecret!;
    const tokens = (await new TokenCache(env).entries()).map((e) => e.accessToken);
    const outputs = JSON.stringify([
      first.output.lines,
      first.output.warnings,
      result,
      again,
      cached,
      fresh,
      wrong.message,
      scoped.message,
    ]);
    expect(outputs).not.toContain(secret);
    for (const token of tokens) expect(outputs).not.toContain(token);
    for (const file of [...(await filesUnder(cwd)), ...(await filesUnder(cognito.home))]) {
      if (file.startsWith(cognito.dataDir)) continue; // the emulator's own database holds the client, as Cognito does
      const text = await fsp.readFile(file, "utf8");
      expect(text, file).not.toContain(secret);
      if (!file.endsWith("tokens.json")) for (const token of tokens) expect(text, file).not.toContain(token);
    }
  });

  it("--browser-login: the public client gets the localhost callback; token get signs in through the login form (PKCE) and renews", async () => {
    const cwd = tempDir("agentcore-ts-proj-");
    const port = await freePort();
    const result = await cognitoSetup({ local: true, browserLogin: true, redirectPort: port }, context(cwd).ctx);
    expect(result.browserLogin).toMatchObject({ redirectUri: `http://localhost:${port}/callback`, updated: true });
    const again = await cognitoSetup({ local: true, browserLogin: true }, context(cwd).ctx);
    expect(again.browserLogin).toMatchObject({ redirectUri: `http://localhost:${port}/callback`, updated: false });

    const { ctx, output } = context(cwd);
    const pending = tokenGet({ flow: "authorization-code", noBrowser: true, timeoutSeconds: 20 }, ctx);
    await expect.poll(() => output.lines.find((l) => l.includes("/oauth2/authorize?"))).toBeTruthy();
    const url = output.lines.find((l) => l.includes("/oauth2/authorize?"))!.trim();
    expect(new URL(url).searchParams.get("code_challenge_method")).toBe("S256");
    const page = await signIn(url, { login: "testuser", password: "Known-Passw0rd!" });
    expect(page.status).toBe(200);
    const got = await pending;
    expect(got).toMatchObject({ flow: "authorization-code", clientId: result.clientId, refreshToken: true, source: "issuer" });
    expect(got.claims).toMatchObject({ client_id: result.clientId, username: "testuser", token_use: "access" });

    const cache = new TokenCache(env);
    await cache.update((data) => {
      for (const e of Object.values(data.entries))
        if (e.flow === "authorization_code") e.accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    });
    const renewed = await tokenGet({ flow: "authorization-code", noBrowser: true }, context(cwd).ctx);
    expect(renewed.source).toBe("refresh_token");

    // Cognito has no device authorization endpoint: a clear error, with the flows it does offer.
    const device = await failureOf(tokenGet({ flow: "device" }, context(cwd).ctx));
    expect(device).toMatchObject({ code: "OAuthError", message: expect.stringContaining("no device authorization endpoint") });
    expect(device.hint).toContain("--flow authorization-code");

    // A revoked refresh token (RevokeToken, which cognito-local implements): the issuer's invalid_grant and a hint;
    // the cache keeps the entry as it was (nothing half-written).
    const entryOf = async () => (await cache.entries()).find((e) => e.flow === "authorization_code")!;
    const before = await entryOf();
    await (await cognito.client()).send(new RevokeTokenCommand({ ClientId: result.clientId, Token: before.refreshToken! }));
    await cache.update((data) => {
      for (const e of Object.values(data.entries))
        if (e.flow === "authorization_code") e.accessTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    });
    const expired = await entryOf();
    const revoked = await failureOf(tokenGet({ flow: "authorization-code", noBrowser: true }, context(cwd).ctx));
    expect(revoked).toMatchObject({ code: "RefreshTokenRejected", message: expect.stringContaining("invalid_grant") });
    expect(revoked.hint).toContain("token get");
    expect(await entryOf()).toEqual(expired);

    // The user-password flow's refresh token revoked too: `token refresh` says so and logs in with the password.
    const user = (await cache.entries()).find((e) => !e.flow && e.clientId === result.clientId)!;
    await (await cognito.client()).send(new RevokeTokenCommand({ ClientId: result.clientId, Token: user.refreshToken! }));
    const { ctx: refreshCtx, output: refreshOutput } = context(cwd);
    expect(await tokenRefresh({}, refreshCtx)).toMatchObject({ method: "password", username: "testuser" });
    expect(refreshOutput.warnings.join("\n")).toContain("refused the cached refresh token");
  });

  it("issuer down: something else on the embedded Cognito's port gives a clear error and writes nothing; once it is free, it is started again", async () => {
    // Its own embedded Cognito, so that stopping it leaves the other tests' one running.
    const own = await startPrivateCognito();
    const ownEnv = testEnv({ ...own.env, COGNITO_PASSWORD: "Known-Passw0rd!" });
    const cwd = tempDir("agentcore-ts-proj-");
    const ownContext = () => context(cwd, ownEnv);
    let squatter: http.Server | undefined;
    try {
      await cognitoSetup({ local: true, m2m: true }, ownContext().ctx);
      const cache = new TokenCache(ownEnv);
      const before = await cache.entries();
      await own.stop();
      squatter = http.createServer((_req, res) => res.writeHead(503).end("down for maintenance"));
      await new Promise<void>((resolve, reject) => squatter!.once("error", reject).listen(own.port, "127.0.0.1", resolve));
      for (const attempt of [() => tokenGet({ force: true }, ownContext().ctx), () => tokenRefresh({}, ownContext().ctx)]) {
        const down = await failureOf(attempt());
        expect(down).toMatchObject({ code: "EmbeddedCognitoPortTaken", message: expect.stringContaining("HTTP 503") });
        expect(down.hint).toContain("AGENTCORE_TS_COGNITO_PORT");
        expect(await cache.entries()).toEqual(before);
      }
      await new Promise((resolve) => squatter!.close(resolve));
      squatter = undefined;
      // Stopped, not broken: the embedded Cognito is started on demand (and stopped afterwards).
      expect(await tokenGet({ force: true }, ownContext().ctx)).toMatchObject({ source: "issuer", flow: "client-credentials" });
      await expect.poll(() => portOpen(own.port)).toBe(false);
    } finally {
      squatter?.close();
      await own.stop();
    }
  });

  it("cognito delete removes the domain first, then the pool", async () => {
    const cwd = tempDir("agentcore-ts-proj-");
    const result = await cognitoSetup({ local: true, m2m: true }, context(cwd).ctx);
    const sdk = await cognito.client();
    const deleted = await cognitoDelete({ yes: true }, context(cwd).ctx);
    expect(deleted).toMatchObject({ deleted: true, pool: "deleted" });
    const domain = await sdk.send(new DescribeUserPoolDomainCommand({ Domain: result.m2m!.domain.name }));
    expect(domain.DomainDescription?.UserPoolId).toBeUndefined();
  });

  it("refuses a domain prefix Cognito would refuse, before creating anything", async () => {
    const cwd = tempDir("agentcore-ts-proj-");
    await expect(cognitoSetup({ local: true, m2m: true, domain: "My_Domain" }, context(cwd).ctx)).rejects.toMatchObject({
      code: "BadName",
    });
    await expect(fsp.stat(path.join(cwd, ".agentcore.json"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
