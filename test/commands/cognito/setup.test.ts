/**
 * `cognito setup` request shapes (aws-sdk-client-mock): what cognito-local does not enforce
 * (ExplicitAuthFlows, GenerateSecret) is asserted on the exact requests the real service gets.
 */

import { promises as fsp } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  NotAuthorizedException,
  UpdateUserPoolClientCommand,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { printCognitoSetup } from "../../../src/commands/cognito/print.js";
import { type CognitoSetupInput, cognitoSetup } from "../../../src/commands/cognito/setup.js";
import { createContext } from "../../../src/core/context.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { NonInteractivePrompter, type Prompter, ScriptedPrompter } from "../../../src/ui/prompts.js";
import { tempDir, testEnv } from "../../support/cli.js";
import { failureOf } from "../../support/cognito-local.js";

const cognito = mockClient(CognitoIdentityProviderClient);
beforeEach(() => cognito.reset());

const POOL = "us-east-1_AbCdEfGhI";
const CLIENT = "1example23456789abcdefghij";

function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", kid: "k1" })}.${part(claims)}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
}
const ACCESS = jwt({
  iss: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`,
  client_id: CLIENT,
  token_use: "access",
  exp: Math.floor(Date.now() / 1000) + 3600,
});

function setupContext(options: { env?: NodeJS.ProcessEnv; stdin?: string; prompter?: Prompter; cwd?: string } = {}) {
  const cwd = options.cwd ?? tempDir("agentcore-ts-proj-");
  const output = new MemoryOutput();
  const ctx = createContext({
    cwd,
    env: testEnv(options.env),
    globals: { json: false, verbose: false, nonInteractive: true },
    output,
    prompter: options.prompter ?? new NonInteractivePrompter(),
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
  });
  return { ctx, output, cwd };
}

function run(input: CognitoSetupInput, options: Parameters<typeof setupContext>[0] = {}) {
  const { ctx, output, cwd } = setupContext(options);
  return { promise: cognitoSetup(input, ctx), output, cwd, ctx };
}

function freshAccount(): void {
  cognito.on(ListUserPoolsCommand).resolves({ UserPools: [] });
  cognito.on(CreateUserPoolCommand).resolves({ UserPool: { Id: POOL, Name: "x" } });
  cognito.on(ListUserPoolClientsCommand).resolves({ UserPoolClients: [] });
  cognito.on(CreateUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: CLIENT, UserPoolId: POOL } });
  cognito.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: "User does not exist.", $metadata: {} }));
  cognito.on(AdminCreateUserCommand).resolves({ User: { Username: "testuser", UserStatus: "FORCE_CHANGE_PASSWORD" } });
  cognito.on(AdminSetUserPasswordCommand).resolves({});
  cognito.on(InitiateAuthCommand).resolves({
    AuthenticationResult: {
      AccessToken: ACCESS,
      IdToken: jwt({ aud: CLIENT }),
      RefreshToken: "opaque-refresh",
      ExpiresIn: 3600,
      TokenType: "Bearer",
    },
  });
}

function existingPoolAndUser(clientSettings: Record<string, unknown> = {}): void {
  cognito.on(ListUserPoolsCommand).resolves({ UserPools: [{ Id: POOL, Name: "shared-pool" }] });
  cognito
    .on(ListUserPoolClientsCommand)
    .resolves({ UserPoolClients: [{ ClientId: CLIENT, ClientName: "shared-pool-client", UserPoolId: POOL }] });
  cognito.on(DescribeUserPoolClientCommand).resolves({
    UserPoolClient: {
      ClientId: CLIENT,
      ClientName: "shared-pool-client",
      UserPoolId: POOL,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      ...clientSettings,
    },
  });
  cognito.on(AdminGetUserCommand).resolves({ Username: "testuser", UserStatus: "CONFIRMED" });
}

describe("cognito setup (request shapes)", () => {
  it("creates pool, public client and user exactly like the workshop script, logs in and saves the ids", async () => {
    freshAccount();
    const { promise, output, cwd } = run({});
    const result = await promise;
    const poolName = `agentcore-ts-${path.basename(cwd).toLowerCase()}`;

    expect(cognito).toHaveReceivedCommandWith(CreateUserPoolCommand, {
      PoolName: poolName,
      Policies: { PasswordPolicy: { MinimumLength: 8 } },
    });
    const clientRequest = cognito.commandCalls(CreateUserPoolClientCommand)[0].args[0].input;
    expect(clientRequest).toEqual({
      UserPoolId: POOL,
      ClientName: `${poolName}-client`,
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0].args[0].input).toEqual({
      UserPoolId: POOL,
      Username: "testuser",
      MessageAction: "SUPPRESS",
    });
    const setPassword = cognito.commandCalls(AdminSetUserPasswordCommand)[0].args[0].input;
    expect(setPassword).toMatchObject({ UserPoolId: POOL, Username: "testuser", Permanent: true });
    expect(cognito).toHaveReceivedCommandWith(InitiateAuthCommand, {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: CLIENT,
      AuthParameters: { USERNAME: "testuser", PASSWORD: setPassword.Password! },
    });

    expect(result.discoveryUrl).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${POOL}/.well-known/openid-configuration`);
    expect(result.userPool.status).toBe("created");
    expect(result.accessToken.expiresInSeconds).toBeGreaterThan(3590);
    expect(result.accessToken.expiresInSeconds).toBeLessThanOrEqual(3600);
    expect(result.generatedPassword).toBe(setPassword.Password);
    // The generated password is shown (once in the summary line, once in the re-login hint) and never stored.
    printCognitoSetup(result, output);
    const printed = output.lines.join("\n");
    expect(printed).toContain(`Generated password for "testuser" (shown once, not stored): ${setPassword.Password}`);
    expect(printed).toContain("in 60 min");
    expect(printed).toMatch(/Next: agentcore-ts configure/);
    expect(printed).toContain("COGNITO_DISCOVERY_URL, COGNITO_CLIENT_ID, AWS_REGION set in .env");
    // What only the summary needs stays out of the --json document.
    expect(result.envChanged).toBe(true);
    expect(JSON.parse(JSON.stringify(result))).not.toHaveProperty("envChanged");

    const config = await fsp.readFile(path.join(cwd, ".agentcore.json"), "utf8");
    expect(JSON.parse(config).cognito).toEqual({
      region: "us-east-1",
      userPoolId: POOL,
      clientId: CLIENT,
      username: "testuser",
      discoveryUrl: result.discoveryUrl,
      poolName,
      local: false,
    });
    const dotenv = await fsp.readFile(path.join(cwd, ".env"), "utf8");
    expect(dotenv).toBe(`COGNITO_DISCOVERY_URL=${result.discoveryUrl}\nCOGNITO_CLIENT_ID=${CLIENT}\nAWS_REGION=us-east-1\n`);
    for (const text of [config, dotenv, printed]) {
      expect(text).not.toContain(ACCESS);
      expect(text).not.toContain("opaque-refresh");
    }
    expect(config).not.toContain(setPassword.Password!);
  });

  it("reuses a pool and client found by name, adding missing auth flows without resetting the client's settings", async () => {
    existingPoolAndUser({
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH"],
      AccessTokenValidity: 2,
      TokenValidityUnits: { AccessToken: "hours" },
      CallbackURLs: ["https://app.example.com/cb"],
    });
    cognito.on(UpdateUserPoolClientCommand).resolves({});
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: ACCESS, ExpiresIn: 7200 } });
    const { promise, output } = run({ poolName: "shared-pool" }, { env: { COGNITO_PASSWORD: "Known-Passw0rd" } });
    const result = await promise;
    expect(cognito).toHaveReceivedCommandTimes(CreateUserPoolCommand, 0);
    expect(cognito).toHaveReceivedCommandTimes(CreateUserPoolClientCommand, 0);
    expect(cognito).toHaveReceivedCommandTimes(AdminCreateUserCommand, 0);
    expect(cognito).toHaveReceivedCommandTimes(AdminSetUserPasswordCommand, 0); // never reset a password the user did not ask to reset
    expect(cognito.commandCalls(UpdateUserPoolClientCommand)[0].args[0].input).toEqual({
      UserPoolId: POOL,
      ClientId: CLIENT,
      ClientName: "shared-pool-client",
      AccessTokenValidity: 2,
      TokenValidityUnits: { AccessToken: "hours" },
      CallbackURLs: ["https://app.example.com/cb"],
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    expect(output.warnings.join("\n")).toMatch(/did not allow ALLOW_USER_PASSWORD_AUTH and ALLOW_REFRESH_TOKEN_AUTH: added/);
    expect(result).toMatchObject({
      userPool: { status: "reused" },
      appClient: { status: "reused", updated: true },
      user: { status: "reused", passwordSet: false },
    });
    expect(result.accessToken.expiresInSeconds).toBeGreaterThan(7190);
    expect(result.generatedPassword).toBeUndefined();
  });

  it("refuses an app client with a secret before writing anything", async () => {
    existingPoolAndUser({ ClientSecret: "s3cr3t" });
    const { promise, cwd } = run({ poolName: "shared-pool" }, { env: { COGNITO_PASSWORD: "Known-Passw0rd" } });
    await expect(promise).rejects.toMatchObject({ code: "ClientHasSecret", hint: expect.stringMatching(/--client-name/) });
    await expect(fsp.access(path.join(cwd, ".agentcore.json"))).rejects.toThrow();
    expect(cognito).toHaveReceivedCommandTimes(InitiateAuthCommand, 0);
  });

  it("reuses an existing user without a password: saves the ids, then says what to pass (and resets nothing)", async () => {
    existingPoolAndUser();
    const { promise, cwd } = run({ poolName: "shared-pool" });
    const failure = await failureOf(promise);
    expect(failure.code).toBe("PasswordRequired");
    expect(failure.message).toMatch(/are ready \(saved in \.agentcore\.json\)/);
    expect(failure.hint).toMatch(/COGNITO_PASSWORD=… agentcore-ts cognito setup.*--password-stdin.*--reset-password/);
    expect(cognito).toHaveReceivedCommandTimes(AdminSetUserPasswordCommand, 0);
    expect(JSON.parse(await fsp.readFile(path.join(cwd, ".agentcore.json"), "utf8")).cognito.userPoolId).toBe(POOL);
  });

  it("a wrong password for an existing user points at --reset-password; with it, the given password is set", async () => {
    existingPoolAndUser();
    cognito.on(InitiateAuthCommand).rejectsOnce(new NotAuthorizedException({ message: "Incorrect username or password.", $metadata: {} }));
    const wrong = run({ poolName: "shared-pool", passwordStdin: true }, { stdin: "Wrong-Passw0rd\n" });
    await expect(wrong.promise).rejects.toMatchObject({ code: "NotAuthorizedException", hint: expect.stringMatching(/--reset-password/) });
    expect(cognito).toHaveReceivedCommandTimes(AdminSetUserPasswordCommand, 0);

    cognito.reset();
    existingPoolAndUser();
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: ACCESS, ExpiresIn: 3600 } });
    const reset = run({ poolName: "shared-pool", passwordStdin: true, resetPassword: true }, { stdin: "New-Passw0rd\n" });
    expect((await reset.promise).user).toEqual({ username: "testuser", status: "reused", passwordSet: true });
    expect(cognito).toHaveReceivedCommandWith(AdminSetUserPasswordCommand, {
      Username: "testuser",
      Password: "New-Passw0rd",
      Permanent: true,
    });
  });

  it("rejects bad names and passwords before calling AWS", async () => {
    await expect(run({ poolName: "bad/name" }).promise).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/--pool-name "bad\/name"/),
    });
    await expect(run({ username: "has space" }).promise).rejects.toMatchObject({ exitCode: 2 });
    await expect(run({}, { env: { COGNITO_PASSWORD: "short" } }).promise).rejects.toMatchObject({
      code: "BadPassword",
      message: expect.not.stringContaining("short"),
    });
    const unreadableEnv = tempDir("agentcore-ts-proj-");
    await fsp.mkdir(path.join(unreadableEnv, ".env"));
    await expect(run({}, { cwd: unreadableEnv, env: { COGNITO_PASSWORD: "Known-Passw0rd" } }).promise).rejects.toMatchObject({
      code: "DotenvUnusable",
      message: `Cannot read ${path.join(unreadableEnv, ".env")}: EISDIR.`,
    });
    await expect(fsp.access(path.join(unreadableEnv, ".agentcore.json"))).rejects.toThrow();
    expect(cognito.calls()).toHaveLength(0);
  });

  it("asks on a terminal: a new user's password (empty = generate), an existing user's password to log in", async () => {
    freshAccount();
    const typed = new ScriptedPrompter(["Typed-Passw0rd"]);
    const created = await run({}, { prompter: typed }).promise;
    expect(typed.asked).toEqual(['Password for "testuser" (leave empty to generate a strong one)']);
    expect(cognito).toHaveReceivedCommandWith(AdminSetUserPasswordCommand, { Password: "Typed-Passw0rd", Permanent: true });
    expect(created.generatedPassword).toBeUndefined();

    cognito.reset();
    freshAccount();
    const empty = new ScriptedPrompter([""]);
    expect((await run({}, { prompter: empty }).promise).generatedPassword).toMatch(/^\S{20}$/);

    cognito.reset();
    existingPoolAndUser();
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: ACCESS, ExpiresIn: 3600 } });
    const existing = new ScriptedPrompter(["Existing-Passw0rd"]);
    await run({ poolName: "shared-pool" }, { prompter: existing }).promise;
    expect(existing.asked).toEqual(['Password of the existing user "testuser"']);
    expect(cognito).toHaveReceivedCommandWith(InitiateAuthCommand, {
      AuthParameters: { USERNAME: "testuser", PASSWORD: "Existing-Passw0rd" },
    });
    expect(cognito).toHaveReceivedCommandTimes(AdminSetUserPasswordCommand, 0);
  });

  it("puts the access token into .env only with --write-token-to-env, and flags a stale one later", async () => {
    freshAccount();
    const cwd = tempDir("agentcore-ts-proj-");
    await fsp.writeFile(path.join(cwd, ".env"), "# my settings\nOPENAI_API_KEY=keep\n");
    const first = run({ writeTokenToEnv: true }, { cwd, env: { COGNITO_PASSWORD: "Known-Passw0rd" } });
    await first.promise;
    const dotenv = await fsp.readFile(path.join(cwd, ".env"), "utf8");
    expect(dotenv).toMatch(/^# my settings\nOPENAI_API_KEY=keep\nCOGNITO_DISCOVERY_URL=\S+\nCOGNITO_CLIENT_ID=\S+\nAWS_REGION=us-east-1\n/);
    expect(dotenv).toContain(`COGNITO_ACCESS_TOKEN=${ACCESS}\n`);
    expect(first.output.warnings.join("\n")).toMatch(/keep \.env out of version control/);

    const poolName = `agentcore-ts-${path.basename(cwd).toLowerCase()}`;
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: POOL, Name: poolName } });
    cognito.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: {
        ClientId: CLIENT,
        ClientName: `${poolName}-client`,
        UserPoolId: POOL,
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      },
    });
    cognito.on(AdminGetUserCommand).resolves({ Username: "testuser", UserStatus: "CONFIRMED" });
    const second = run({}, { cwd, env: { COGNITO_PASSWORD: "Known-Passw0rd" } });
    await second.promise;
    expect((await second.promise).userPool.status).toBe("reused");
    expect(cognito).toHaveReceivedCommandTimes(CreateUserPoolCommand, 1);
    expect(second.output.warnings.join("\n")).toMatch(/\.env still holds COGNITO_ACCESS_TOKEN from an earlier run; it was not updated/);
  });
});
