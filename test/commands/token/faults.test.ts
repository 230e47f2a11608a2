/**
 * Faults and the token acquisition API, in-process against a private embedded Cognito (real SDK):
 * wrong password, missing user, pool deleted out of band, corrupted cache, and getAccessToken /
 * forceRefresh (cached, refreshed near expiry, on-demand embedded Cognito, clear "no token" error).
 */

import { promises as fsp } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import {
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
  DeleteUserPoolCommand,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenCache } from "../../../src/auth/token-cache.js";
import { forceRefresh, getAccessToken } from "../../../src/auth/tokens.js";
import { AwsClients } from "../../../src/aws/clients.js";
import { cognitoSetup } from "../../../src/commands/cognito/setup.js";
import { tokenRefresh } from "../../../src/commands/token/refresh.js";
import { tokenShow } from "../../../src/commands/token/show.js";
import { createContext } from "../../../src/core/context.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { NonInteractivePrompter } from "../../../src/ui/prompts.js";
import { freePort, tempDir, testEnv } from "../../support/cli.js";
import { failureOf, type PrivateCognito, portOpen, startPrivateCognito } from "../../support/cognito-local.js";

let cognito: PrivateCognito;
let sdk: CognitoIdentityProviderClient;
let env: NodeJS.ProcessEnv;
const PASSWORD = "Known-Passw0rd!";

beforeAll(async () => {
  cognito = await startPrivateCognito();
  sdk = await cognito.client();
  env = testEnv(cognito.env);
});
afterAll(async () => {
  await cognito?.stop();
});

function context(cwd: string, options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const output = new MemoryOutput();
  const ctx = createContext({
    cwd,
    env: { ...env, ...options.env },
    globals: { json: false, verbose: false, nonInteractive: true },
    output,
    prompter: new NonInteractivePrompter(),
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
  });
  return { ctx, output };
}

async function setUpProject(extraEnv: NodeJS.ProcessEnv = {}) {
  const cwd = tempDir("agentcore-ts-proj-");
  const { ctx } = context(cwd, { env: { COGNITO_PASSWORD: PASSWORD, ...extraEnv } });
  const result = await cognitoSetup({ local: true }, ctx);
  return { cwd, result };
}

describe("faults", () => {
  it("a wrong password: clear error, the cache and the refresh path untouched", async () => {
    const { cwd, result } = await setUpProject();
    const cache = new TokenCache(env);
    const [entry] = await cache.entries();
    await sdk.send(new RevokeTokenCommand({ ClientId: result.clientId, Token: entry.refreshToken! }));
    const before = await fsp.readFile(cache.file, "utf8");
    const { ctx } = context(cwd, { env: { COGNITO_PASSWORD: "Wrong-Passw0rd!" } });
    const failure = await failureOf(tokenRefresh({}, ctx));
    expect(failure.message).toMatch(/^Log in as "testuser" \(InitiateAuth USER_PASSWORD_AUTH\) failed: InvalidPasswordException/);
    expect(failure.hint).toMatch(/COGNITO_PASSWORD/);
    expect(`${failure.message} ${failure.hint}`).not.toContain("Wrong-Passw0rd!");
    expect(await fsp.readFile(cache.file, "utf8")).toBe(before);
  });

  it("a user deleted out of band: the login fails naming the user; setup recreates it", async () => {
    const { cwd, result } = await setUpProject();
    await sdk.send(new AdminDeleteUserCommand({ UserPoolId: result.userPool.id, Username: "testuser" }));
    const { ctx } = context(cwd, { stdin: `${PASSWORD}\n` });
    // cognito-local answers like a pool with PreventUserExistenceErrors: NotAuthorizedException, not UserNotFoundException.
    const failure = await failureOf(tokenRefresh({ passwordStdin: true }, ctx));
    expect(failure.message).toMatch(/^Log in as "testuser" \(InitiateAuth USER_PASSWORD_AUTH\) failed: NotAuthorizedException/);
    expect(failure.hint).toMatch(/recreates the user if it was deleted/);
    const again = context(cwd, { env: { COGNITO_PASSWORD: PASSWORD } });
    const rerun = await cognitoSetup({}, again.ctx);
    expect(rerun).toMatchObject({ userPool: { id: result.userPool.id, status: "reused" }, user: { status: "created", passwordSet: true } });
  });

  it("a pool deleted out of band: setup says so and sets up a new one", async () => {
    const { cwd, result } = await setUpProject();
    await sdk.send(new DeleteUserPoolCommand({ UserPoolId: result.userPool.id }));
    const { ctx, output } = context(cwd, { env: { COGNITO_PASSWORD: PASSWORD } });
    const rerun = await cognitoSetup({}, ctx);
    expect(output.warnings.join("\n")).toContain(
      `User pool ${result.userPool.id} recorded in .agentcore.json no longer exists (deleted outside agentcore-ts)`,
    );
    expect(rerun.userPool.status).toBe("recreated");
    expect(rerun.userPool.id).not.toBe(result.userPool.id);
    expect(rerun.appClient.status).toBe("created");
    const section = JSON.parse(await fsp.readFile(path.join(cwd, ".agentcore.json"), "utf8")).cognito;
    expect(section.userPoolId).toBe(rerun.userPool.id);
  });

  it("a corrupted token cache: setup stops before creating anything and leaves the file as it was", async () => {
    const home = tempDir("agentcore-ts-home-");
    const cacheFile = path.join(home, "tokens.json");
    await fsp.writeFile(cacheFile, "{ garbage", { mode: 0o600 });
    const cwd = tempDir("agentcore-ts-proj-");
    const { ctx } = context(cwd, { env: { AGENTCORE_TS_HOME: home, COGNITO_PASSWORD: PASSWORD } });
    await expect(cognitoSetup({ local: true }, ctx)).rejects.toMatchObject({
      code: "TokenCacheCorrupt",
      message: expect.stringContaining(cacheFile),
    });
    expect(await fsp.readFile(cacheFile, "utf8")).toBe("{ garbage");
    await expect(fsp.access(path.join(cwd, ".agentcore.json"))).rejects.toThrow();
    await expect(tokenShow({}, context(cwd, { env: { AGENTCORE_TS_HOME: home } }).ctx)).rejects.toMatchObject({
      code: "TokenCacheCorrupt",
    });
  });
});

describe("getAccessToken / forceRefresh", () => {
  it("returns the cached token, refreshes it near expiry, and forceRefresh always refreshes", async () => {
    const { result } = await setUpProject();
    const authorizer = { discoveryUrl: result.discoveryUrl, allowedClients: [result.clientId] };
    const aws = new AwsClients({ region: "us-east-1" });
    const cached = await getAccessToken({ authorizer, env, aws, minValiditySeconds: 120 });
    expect(cached.refreshed).toBe(false);
    expect(cached.claims.client_id).toBe(result.clientId);
    expect(cached.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3600_000);

    // Valid for 24 h, but the caller needs more: refreshed.
    const nearExpiry = await getAccessToken({ authorizer, env, aws, minValiditySeconds: 2 * 86400 });
    expect(nearExpiry.refreshed).toBe(true);
    expect(nearExpiry.accessToken).not.toBe(cached.accessToken);
    const forced = await forceRefresh({ authorizer, env, aws });
    expect(forced.refreshed).toBe(true);
    expect((await new TokenCache(env).entries()).find((e) => e.clientId === result.clientId)?.accessToken).toBe(forced.accessToken);
  });

  it("names cognito setup, token refresh and --bearer-token when no token fits", async () => {
    const failure = await failureOf(
      getAccessToken({
        authorizer: { discoveryUrl: "https://issuer.example.com/.well-known/openid-configuration", allowedAudience: ["x"] },
        env,
        aws: new AwsClients({ region: "us-east-1" }),
      }),
    );
    expect(failure.code).toBe("NoAccessToken");
    expect(failure.message).toContain("issuer https://issuer.example.com");
    expect(failure.hint).toMatch(/cognito setup.*token refresh.*--bearer-token/);
  });

  it("starts the embedded Cognito for a local pool's refresh and leaves nothing running", async () => {
    // Its own home and port, with nothing running there.
    const own = testEnv({
      AGENTCORE_TS_HOME: tempDir("agentcore-ts-home-"),
      AGENTCORE_TS_COGNITO_PORT: String(await freePort()),
      COGNITO_PASSWORD: PASSWORD,
    });
    const cwd = tempDir("agentcore-ts-proj-");
    const { ctx } = context(cwd, { env: own });
    const result = await cognitoSetup({ local: true }, ctx);
    const port = Number(own.AGENTCORE_TS_COGNITO_PORT);
    expect(await portOpen(port)).toBe(false);
    const token = await getAccessToken({
      authorizer: { discoveryUrl: result.discoveryUrl, allowedClients: [result.clientId] },
      env: own,
      aws: new AwsClients({}),
      minValiditySeconds: 2 * 86400,
    });
    expect(token.refreshed).toBe(true);
    expect(await portOpen(port)).toBe(false);
  });
});
