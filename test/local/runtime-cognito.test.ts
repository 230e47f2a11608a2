/**
 * The local runtime with an agent whose discoveryUrl points at the embedded Cognito (cognito-local):
 * startLocalRuntime starts it, the gateway accepts its real access tokens (allowedClients) and rejects
 * them for an audience-only authorizer, and stop() stops the Cognito it started.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureEmbeddedCognito, probeEmbeddedCognito } from "../../src/embedded-cognito/control.js";
import { startLocalRuntime } from "../../src/local/runtime.js";
import { freePort, testEnv } from "../support/cli.js";
import { post, waitFor, writeAgentProject } from "./gateway-helpers.js";

let env: NodeJS.ProcessEnv;
let endpoint: string;
let discoveryUrl: string;
let clientId: string;
let accessToken: string;

beforeAll(async () => {
  env = testEnv({ AGENTCORE_TS_COGNITO_PORT: String(await freePort()) });
  // Create a pool, client and user in the embedded Cognito, take a real access token, then let it stop.
  const cognito = await ensureEmbeddedCognito(env);
  endpoint = cognito.endpoint;
  try {
    const cip = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const poolId = (
      await cip.send(new CreateUserPoolCommand({ PoolName: "LocalPool", Policies: { PasswordPolicy: { MinimumLength: 8 } } }))
    ).UserPool!.Id!;
    clientId = (
      await cip.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: "LocalClient",
          ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
      )
    ).UserPoolClient!.ClientId!;
    await cip.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: "testuser", TemporaryPassword: "Temp123!x", MessageAction: "SUPPRESS" }),
    );
    await cip.send(
      new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: "testuser", Password: "MyPassword123!", Permanent: true }),
    );
    const auth = await cip.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "testuser", PASSWORD: "MyPassword123!" },
      }),
    );
    accessToken = auth.AuthenticationResult!.AccessToken!;
    discoveryUrl = `${endpoint}/${poolId}/.well-known/openid-configuration`;
    cip.destroy();
  } finally {
    await cognito.stop();
  }
  await waitFor(
    async () => ((await probeEmbeddedCognito(endpoint)).state === "stopped" ? true : undefined),
    10_000,
    "the embedded Cognito to stop",
  );
}, 30_000);

afterAll(async () => {
  // Nothing may be left running.
  expect((await probeEmbeddedCognito(endpoint)).state).toBe("stopped");
});

const project = (authorizer: Record<string, unknown>) =>
  writeAgentProject({ authorizerConfiguration: { customJWTAuthorizer: authorizer } }, "agentcore-ts-local-cognito-");

describe("launch --local with the embedded Cognito", () => {
  it("starts the embedded Cognito, accepts its access tokens for allowedClients, and stops it at exit", async () => {
    const runtime = await startLocalRuntime({
      cwd: await project({ discoveryUrl, allowedClients: [clientId] }),
      env,
      mode: "process",
      port: 0,
      agentPort: 0,
    });
    try {
      expect(runtime.startedEmbeddedCognito).toBe(true);
      expect((await probeEmbeddedCognito(endpoint)).state).toBe("running");
      const url = `${runtime.gatewayUrl}/runtimes/my_agent/invocations?qualifier=DEFAULT`;
      const ok = await post(url, { prompt: "hi" }, { authorization: `Bearer ${accessToken}` });
      expect(ok.status).toBe(200);
      const tampered = await post(url, { prompt: "hi" }, { authorization: `Bearer ${accessToken.slice(0, -4)}AAAA` });
      expect([tampered.status, tampered.headers.get("x-amzn-errortype")]).toEqual([401, "UnauthorizedException"]);
    } finally {
      await runtime.stop();
    }
    await waitFor(
      async () => ((await probeEmbeddedCognito(endpoint)).state === "stopped" ? true : undefined),
      10_000,
      "the embedded Cognito to stop",
    );
  });

  it("rejects a Cognito access token for an audience-only authorizer (no aud claim) with the service's wording", async () => {
    const runtime = await startLocalRuntime({
      cwd: await project({ discoveryUrl, allowedAudience: [clientId] }),
      env,
      mode: "process",
      port: 0,
      agentPort: 0,
    });
    try {
      const answer = await post(`${runtime.gatewayUrl}/invocations`, { prompt: "hi" }, { authorization: `Bearer ${accessToken}` });
      expect([answer.status, answer.headers.get("x-amzn-errortype"), answer.body.message]).toEqual([
        401,
        "UnauthorizedException",
        "Claim 'aud' value mismatch with configuration.",
      ]);
    } finally {
      await runtime.stop();
    }
    await waitFor(
      async () => ((await probeEmbeddedCognito(endpoint)).state === "stopped" ? true : undefined),
      10_000,
      "the embedded Cognito to stop",
    );
  });
});
