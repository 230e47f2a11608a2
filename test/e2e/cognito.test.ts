/**
 * The Cognito workflow through the BUILT CLI, against a private embedded Cognito (cognito-local on
 * 127.0.0.1, private port and data dir) with the real AWS SDK: setup, rerun, token refresh/show/
 * verify, a revoked refresh token with the password fallback, concurrent refreshes, delete, the
 * AWS path through AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, and an unreachable endpoint.
 * Every output is checked for leaked tokens and passwords at the end.
 */

import { promises as fsp } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt, generateKeyPair, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, tempDir, testEnv } from "../support/cli.js";
import { type PrivateCognito, startPrivateCognito } from "../support/cognito-local.js";

let cognito: PrivateCognito;
let sdk: CognitoIdentityProviderClient;
let env: NodeJS.ProcessEnv;
let project: string;
let generatedPassword = "";
const outputs: (CliResult & { args: string[] })[] = [];

beforeAll(async () => {
  cognito = await startPrivateCognito();
  sdk = await cognito.client();
  env = testEnv(cognito.env);
  project = tempDir("agentcore-ts-proj-");
});
afterAll(async () => {
  await cognito?.stop();
});

async function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const result = await runCli(args, { cwd: options.cwd ?? project, env: { ...env, ...options.env }, input: options.input });
  outputs.push({ ...result, args });
  return result;
}

interface CacheEntry {
  userPoolId: string;
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
}
async function cacheEntries(): Promise<CacheEntry[]> {
  return Object.values(
    (JSON.parse(await fsp.readFile(path.join(cognito.home, "tokens.json"), "utf8")) as { entries: Record<string, CacheEntry> }).entries,
  );
}
const config = async () => JSON.parse(await fsp.readFile(path.join(project, ".agentcore.json"), "utf8"));
const poolCount = async () => (await sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools?.length ?? 0;

/** [path, mode, isDirectory] of everything under `dir`. */
async function treeModes(dir: string): Promise<[string, number, boolean][]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.map(async (entry): Promise<[string, number, boolean]> => {
      const file = path.join(entry.parentPath, entry.name);
      return [file, (await fsp.lstat(file)).mode & 0o777, entry.isDirectory()];
    }),
  );
}

describe("cognito setup --local and the token commands (built CLI, embedded Cognito)", () => {
  it("sets up pool, client and user, logs in, and writes ids (never tokens) to .agentcore.json and .env", async () => {
    const result = await cli(["cognito", "setup", "--local"]);
    expect(result.stderr).not.toMatch(/NOTE: The AWS SDK for JavaScript \(v2\)/);
    expect(result.code).toBe(0);
    const section = (await config()).cognito;
    expect(section).toMatchObject({ username: "testuser", local: true, poolName: `agentcore-ts-${path.basename(project).toLowerCase()}` });
    expect(section.discoveryUrl).toBe(`${cognito.endpoint}/${section.userPoolId}/.well-known/openid-configuration`);
    expect(result.stdout).toContain(`Discovery URL:  ${section.discoveryUrl}`);
    expect(result.stdout).toContain(`App client ID:  ${section.clientId}`);
    expect(result.stdout).toMatch(/Access token: {3}eyJ\S{3}…\S{4} \(\d+ chars\), expires .* \(in 24 h\)/);
    generatedPassword = /shown once, not stored\): (\S+)/.exec(result.stdout)![1];
    expect(result.stdout).toContain(`COGNITO_PASSWORD='${generatedPassword}' agentcore-ts token refresh`);
    expect(await fsp.readFile(path.join(project, ".env"), "utf8")).toBe(
      `COGNITO_DISCOVERY_URL=${section.discoveryUrl}\nCOGNITO_CLIENT_ID=${section.clientId}\nAWS_REGION=us-east-1\n`,
    );
    expect((await fsp.stat(cognito.home)).mode & 0o777).toBe(0o700);
    expect((await fsp.stat(path.join(cognito.home, "tokens.json"))).mode & 0o777).toBe(0o600);
    // Everything under the home is private, the embedded Cognito's data (users, their test passwords) included.
    const modes = await treeModes(cognito.home);
    expect(modes.some(([file]) => file.includes(`${path.sep}db${path.sep}`))).toBe(true);
    expect(modes.filter(([, mode, dir]) => mode !== (dir ? 0o700 : 0o600))).toEqual([]);
    const [entry] = await cacheEntries();
    expect(entry.userPoolId).toBe(section.userPoolId);
    expect(entry.refreshToken).toBeTruthy();
  });

  it("a rerun reuses everything and creates nothing new", async () => {
    const pools = await poolCount();
    const { userPoolId, clientId } = (await config()).cognito;
    const result = await cli(["cognito", "setup"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Using the embedded local Cognito, as recorded in .agentcore.json");
    expect(result.stdout).toContain(`${userPoolId} (reused)`);
    expect(result.stdout).toContain(`${clientId} (reused)`);
    expect(result.stdout).toContain('Test user "testuser" (reused, password unchanged)');
    expect(result.stdout).toContain("(cached refresh token)");
    expect(result.stdout).not.toContain("Generated password");
    expect(await poolCount()).toBe(pools);
    expect((await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }))).UserPoolClients).toHaveLength(1);
  });

  it("token refresh --json gives the expiry and claims, never the token; show --raw gives only the token", async () => {
    const refresh = await cli(["token", "refresh", "--json"]);
    expect(refresh.code).toBe(0);
    const doc = JSON.parse(refresh.stdout);
    expect(doc).toMatchObject({
      method: "refresh_token",
      username: "testuser",
      claims: { token_use: "access", client_id: (await config()).cognito.clientId },
    });
    expect(doc.expiresInSeconds).toBeGreaterThan(86000);
    const [entry] = await cacheEntries();
    expect(refresh.stdout).not.toContain(entry.accessToken);

    const raw = await cli(["token", "show", "--raw"]);
    expect(raw).toMatchObject({ code: 0, stdout: `${entry.accessToken}\n` });
    const show = await cli(["token", "show"]);
    expect(show.stdout).toMatch(/client_id +\S+/);
    expect(show.stdout).toMatch(/scope +aws\.cognito\.signin\.user\.admin/);
    expect(show.stdout).toMatch(/exp +expires .*\(in 24 h\)/);
  });

  it("token verify passes for allowedClients and fails, with the fix, for allowedAudience", async () => {
    const current = await config();
    const agent = (name: string, authorizer: Record<string, unknown>) => ({
      name,
      entrypoint: "agent.py",
      language: "python",
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: current.cognito.discoveryUrl, ...authorizer } },
    });
    current.agents = {
      by_client: agent("by_client", { allowedClients: [current.cognito.clientId] }),
      by_aud: agent("by_aud", { allowedAudience: [current.cognito.clientId] }),
    };
    current.defaultAgent = "by_client";
    await fsp.writeFile(path.join(project, ".agentcore.json"), JSON.stringify(current, null, 2));

    const pass = await cli(["token", "verify"]);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toMatch(/✔ signature +pass/);
    expect(pass.stdout).toMatch(/✔ issuer +pass/);
    expect(pass.stdout).toMatch(/✔ client_id +pass/);
    expect(pass.stdout).toContain("Allowed: AgentCore Runtime would accept this token.");

    const fail = await cli(["token", "verify", "--agent", "by_aud", "--json"]);
    expect(fail.code).toBe(1);
    const doc = JSON.parse(fail.stdout);
    expect(doc).toMatchObject({
      allowed: false,
      httpStatus: 401,
      errorType: "UnauthorizedException",
      message: "Claim 'aud' value mismatch with configuration.",
      agent: "by_aud",
    });
    expect(doc.checks.find((c: { name: string }) => c.name === "aud")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/allowedClients/),
    });
    expect(JSON.stringify(doc)).not.toContain((await cacheEntries())[0].accessToken);
  });

  it("token verify checks the token invoke would send, and a cached token of the same issuer when none fits", async () => {
    // Another project directory (its own .env), and runCli directly: these runs handle tokens on purpose.
    const dir = tempDir("agentcore-ts-proj-copy-");
    const current = await config();
    const jwt = { discoveryUrl: current.cognito.discoveryUrl, allowedClients: ["not_this_client"] };
    current.agents = {
      wrong_client: {
        name: "wrong_client",
        entrypoint: "agent.py",
        language: "python",
        authorizerConfiguration: { customJWTAuthorizer: jwt },
      },
    };
    current.defaultAgent = "wrong_client";
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(current, null, 2));

    const fallback = await runCli(["token", "verify"], { cwd: dir, env });
    expect(fallback.code).toBe(1);
    expect(fallback.stdout).toMatch(/no cached token fits the authorizer; this one is from the same issuer \(client \S+\)/);
    expect(fallback.stdout).toMatch(/✖ client_id +fail[\s\S]*fix:/);
    expect(fallback.stderr).not.toMatch(/No cached token fits/);

    const [entry] = await cacheEntries();
    const fromEnv = await runCli(["token", "verify", "--json"], { cwd: dir, env: { ...env, COGNITO_ACCESS_TOKEN: entry!.accessToken } });
    expect(JSON.parse(fromEnv.stdout).token).toMatchObject({ source: "env" });
    const text = await runCli(["token", "verify"], { cwd: dir, env: { ...env, COGNITO_ACCESS_TOKEN: "not.a.jwt" } });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/Checking the token in COGNITO_ACCESS_TOKEN \(the one invoke sends/);
  });

  it("token refresh updates the .env copy --write-token-to-env wrote, and says a COGNITO_ACCESS_TOKEN in the environment is stale", async () => {
    const dir = tempDir("agentcore-ts-proj-copy-");
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(await config(), null, 2));
    const [before] = await cacheEntries();
    await fsp.writeFile(path.join(dir, ".env"), `FOO=bar\nCOGNITO_ACCESS_TOKEN=${before!.accessToken}\n`);
    const result = await runCli(["token", "refresh"], { cwd: dir, env: { ...env, COGNITO_ACCESS_TOKEN: before!.accessToken } });
    expect(result.code, result.stderr).toBe(0);
    const [after] = await cacheEntries();
    expect(after!.accessToken).not.toBe(before!.accessToken);
    expect(await fsp.readFile(path.join(dir, ".env"), "utf8")).toBe(`FOO=bar\nCOGNITO_ACCESS_TOKEN=${after!.accessToken}\n`);
    expect(result.stdout).toMatch(/Updated COGNITO_ACCESS_TOKEN in .*\.env \(the --write-token-to-env copy\)/);
    expect(result.stderr).toMatch(/COGNITO_ACCESS_TOKEN in your environment still holds another token[\s\S]*unset COGNITO_ACCESS_TOKEN/);
  });

  it("token verify rejects, with clear failing checks and no crash, a token from another issuer, an expired one and garbage", async () => {
    const claims = decodeJwt((await cacheEntries())[0].accessToken);
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({ ...claims, iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other123" })
      .setProtectedHeader({ alg: "RS256", kid: "other" })
      .sign((await generateKeyPair("RS256")).privateKey);
    // Signed with the embedded Cognito's own key (shipped in cognito-local), so only the expiry is wrong.
    const localKey = JSON.parse(
      await fsp.readFile(
        path.join(path.dirname(createRequire(import.meta.url).resolve("cognito-local")), "keys", "cognitoLocal.private.json"),
        "utf8",
      ),
    ).jwk;
    const expired = await new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 })
      .setProtectedHeader({ alg: "RS256", kid: "CognitoLocal" })
      .sign(await importJWK(localKey, "RS256"));
    const verdict = async (args: string[], input?: string) => {
      const result = await cli(["token", "verify", "--json", ...args], { input });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("");
      const doc = JSON.parse(result.stdout) as { checks: { name: string; status: string; fix?: string }[] };
      return Object.fromEntries(doc.checks.filter((c) => c.status === "fail").map((c) => [c.name, c.fix]));
    };
    expect(await verdict(["--token", foreign])).toEqual({
      signature: expect.stringMatching(/token refresh/),
      issuer: expect.stringMatching(/discoveryUrl/),
    });
    expect(await verdict(["--token-stdin"], `${expired}\n`)).toEqual({ expiry: expect.stringMatching(/token refresh/) });
    expect(await verdict(["--token", "not-a-token"])).toEqual({ format: expect.stringMatching(/three base64url parts/) });
  });

  it("a revoked refresh token: refresh fails clearly and keeps the cache; the password fallback recovers", async () => {
    const [entry] = await cacheEntries();
    await sdk.send(new RevokeTokenCommand({ ClientId: (await config()).cognito.clientId, Token: entry.refreshToken! }));
    const before = await fsp.readFile(path.join(cognito.home, "tokens.json"), "utf8");
    const refused = await cli(["token", "refresh"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Cognito refused the cached refresh token/);
    expect(refused.stderr).toMatch(/--password-stdin.*COGNITO_PASSWORD/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await fsp.readFile(path.join(cognito.home, "tokens.json"), "utf8")).toBe(before);

    const recovered = await cli(["token", "refresh", "--password-stdin", "--json"], { input: `${generatedPassword}\n` });
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout).method).toBe("password");
    expect(recovered.stderr).toMatch(/refused the cached refresh token \(expired or revoked\): logged in with the password instead/);
    expect((await cacheEntries())[0].refreshToken).not.toBe(entry.refreshToken);
  });

  it("concurrent refreshes all succeed and leave a valid cache", async () => {
    const results = await Promise.all([1, 2, 3].map(() => cli(["token", "refresh", "--json"])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(await cacheEntries()).toHaveLength(1);
  });

  it("cognito delete asks first, then removes the pool, the section, the cached tokens and its .env keys", async () => {
    const { userPoolId } = (await config()).cognito;
    await fsp.appendFile(path.join(project, ".env"), "# mine\nOTHER=kept\n");
    const refused = await cli(["cognito", "delete"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs confirmation[\s\S]*--yes/);

    const deleted = await cli(["cognito", "delete", "--yes"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toMatch(/Agents "by_client", "by_aud" still trust the deleted pool .*configure/);
    await expect(sdk.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    expect((await config()).cognito).toBeUndefined();
    expect(await cacheEntries()).toHaveLength(0);
    expect(await fsp.readFile(path.join(project, ".env"), "utf8")).toBe("AWS_REGION=us-east-1\n# mine\nOTHER=kept\n");
    const again = await cli(["cognito", "delete", "--yes"]);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/Nothing to delete/) });
  });

  it("the AWS path honours AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, and an unreachable endpoint fails clearly", async () => {
    const awsProject = tempDir("agentcore-ts-aws-");
    const viaEndpoint = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint, COGNITO_PASSWORD: "Given-Passw0rd" };
    const setup = await cli(["cognito", "setup", "--region", "eu-west-1"], { cwd: awsProject, env: viaEndpoint });
    expect(setup.code).toBe(0);
    const section = JSON.parse(await fsp.readFile(path.join(awsProject, ".agentcore.json"), "utf8")).cognito;
    expect(section).toMatchObject({ local: false, region: "eu-west-1" });
    expect(section.discoveryUrl).toBe(`https://cognito-idp.eu-west-1.amazonaws.com/${section.userPoolId}/.well-known/openid-configuration`);
    expect(setup.stderr).toMatch(/differs from the discovery URL's.*AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER/);
    const refresh = await cli(["token", "refresh"], { cwd: awsProject, env: viaEndpoint });
    expect(refresh.code).toBe(0);

    const unreachable = await cli(["cognito", "setup", "--region", "eu-west-1"], {
      cwd: tempDir("agentcore-ts-aws-"),
      env: { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: "http://127.0.0.1:9", COGNITO_PASSWORD: "Given-Passw0rd" },
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/ListUserPools failed: could not reach the service \(ECONNREFUSED\)/);
    expect(unreachable.stderr).toMatch(/hint: .*AWS_ENDPOINT_URL_\*/);
  });

  it("no token or password ever appears in the config, the .env files, any error output or any stdout but token show --raw's", async () => {
    const secrets = [generatedPassword, "Given-Passw0rd"];
    for (const entry of await cacheEntries()) secrets.push(entry.accessToken, entry.refreshToken ?? "", entry.idToken ?? "");
    const files = [path.join(project, ".agentcore.json"), path.join(project, ".env")];
    const raw = (o: { args: string[] }) => o.args.includes("--raw");
    expect(outputs.filter(raw)).toHaveLength(1);
    const texts = [
      ...(await Promise.all(files.map((f) => fsp.readFile(f, "utf8")))),
      ...outputs.map((o) => o.stderr),
      ...outputs.filter((o) => !raw(o)).map((o) => o.stdout.replace(/shown once, not stored\): \S+|COGNITO_PASSWORD='[^']*'/g, "")),
    ];
    for (const text of texts) {
      for (const secret of secrets.filter(Boolean)) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.eyJ[A-Za-z0-9_-]{20,}\./);
    }
  });
});
