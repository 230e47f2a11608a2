/**
 * Login/refresh request shapes and result handling (aws-sdk-client-mock), password sources, and
 * the cache-matching rules of the token acquisition API.
 */

import { Readable } from "node:stream";
import { CognitoIdentityProviderClient, InitiateAuthCommand, NotAuthorizedException } from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  generatePassword,
  loginWithPassword,
  RefreshTokenRejectedError,
  readPasswordFromStdin,
  refreshWithToken,
  suppliedPassword,
} from "../../src/auth/cognito.js";
import type { CachedTokens } from "../../src/auth/token-cache.js";
import { issuerFromDiscoveryUrl, matchCachedTokens, poolIdFromDiscoveryUrl } from "../../src/auth/tokens.js";
import { failureOf } from "../support/cognito-local.js";

const cognito = mockClient(CognitoIdentityProviderClient);
beforeEach(() => cognito.reset());

/** An unsigned JWT with the given claims (only decoded here, never verified). */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", kid: "k" })}.${part(claims)}.c2lnbmF0dXJlc2ln`;
}

const client = () => new CognitoIdentityProviderClient({ region: "us-east-1" });

describe("loginWithPassword / refreshWithToken", () => {
  it("sends USER_PASSWORD_AUTH and takes the expiry from ExpiresIn (Cognito's default is 1 hour)", async () => {
    const access = jwt({ iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_P", client_id: "c1", exp: 9999999999 });
    cognito.on(InitiateAuthCommand).resolves({
      AuthenticationResult: { AccessToken: access, IdToken: jwt({}), RefreshToken: "r1", ExpiresIn: 3600, TokenType: "Bearer" },
    });
    const before = Date.now();
    const tokens = await loginWithPassword(client(), { clientId: "c1", username: "testuser", password: "Secret-123" });
    expect(cognito).toHaveReceivedCommandWith(InitiateAuthCommand, {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: "c1",
      AuthParameters: { USERNAME: "testuser", PASSWORD: "Secret-123" },
    });
    const seconds = (tokens.accessTokenExpiresAt.getTime() - before) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(3599);
    expect(seconds).toBeLessThan(3610);
    expect(tokens.refreshToken).toBe("r1");
    expect(tokens.issuer).toBe("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_P");
  });

  it("uses the token's exp when the response has no ExpiresIn (cognito-local)", async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: jwt({ exp: 2_000_000_000 }) } });
    const tokens = await refreshWithToken(client(), { clientId: "c1", refreshToken: "r1" });
    expect(cognito).toHaveReceivedCommandWith(InitiateAuthCommand, {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: "c1",
      AuthParameters: { REFRESH_TOKEN: "r1" },
    });
    expect(tokens.accessTokenExpiresAt.toISOString()).toBe(new Date(2_000_000_000_000).toISOString());
    expect(tokens.refreshToken).toBeUndefined();
  });

  it("names the user and the fix for a wrong password, without the password", async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: "Incorrect username or password.", $metadata: {} }));
    const failure = await failureOf(loginWithPassword(client(), { clientId: "c1", username: "testuser", password: "Wrong-pass-1" }));
    expect(failure.message).toBe(
      'Log in as "testuser" (InitiateAuth USER_PASSWORD_AUTH) failed: NotAuthorizedException: Incorrect username or password.',
    );
    expect(failure.hint).toMatch(/--password-stdin or COGNITO_PASSWORD/);
    expect(JSON.stringify({ m: failure.message, h: failure.hint })).not.toContain("Wrong-pass-1");
  });

  it("turns a refused refresh token into RefreshTokenRejectedError, and a challenge into a clear error", async () => {
    cognito.on(InitiateAuthCommand).rejects(new NotAuthorizedException({ message: "Refresh Token has been revoked", $metadata: {} }));
    await expect(refreshWithToken(client(), { clientId: "c1", refreshToken: "r1" })).rejects.toBeInstanceOf(RefreshTokenRejectedError);
    cognito.reset();
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s", ChallengeParameters: {} });
    await expect(loginWithPassword(client(), { clientId: "c1", username: "u", password: "p" })).rejects.toMatchObject({
      code: "AuthChallenge",
      hint: expect.stringMatching(/--reset-password/),
    });
  });
});

describe("passwords", () => {
  it("generates strong passwords that satisfy every Cognito character class", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i += 1) {
      const password = generatePassword();
      expect(password).toHaveLength(20);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[-_.@%+=]/);
      seen.add(password);
    }
    expect(seen.size).toBe(50);
  });

  it("reads --password-stdin (one trailing newline removed), then COGNITO_PASSWORD", async () => {
    expect(await readPasswordFromStdin(Readable.from(["pa ss\n"]))).toBe("pa ss");
    await expect(readPasswordFromStdin(Readable.from([""]))).rejects.toMatchObject({ code: "EmptyStdin", exitCode: 2 });
    await expect(readPasswordFromStdin(Object.assign(Readable.from([]), { isTTY: true }))).rejects.toMatchObject({ code: "StdinIsTTY" });
    expect(
      await suppliedPassword({ passwordStdin: true, stdin: Readable.from(["from-stdin"]), env: { COGNITO_PASSWORD: "from-env" } }),
    ).toEqual({ password: "from-stdin", source: "stdin" });
    expect(await suppliedPassword({ stdin: Readable.from([]), env: { COGNITO_PASSWORD: "from-env" } })).toEqual({
      password: "from-env",
      source: "env",
    });
    expect(await suppliedPassword({ stdin: Readable.from([]), env: {} })).toBeUndefined();
  });
});

describe("matching cached tokens to an authorizer", () => {
  const base = (o: Partial<CachedTokens>): CachedTokens => ({
    userPoolId: "us-east-1_A",
    clientId: "c1",
    username: "testuser",
    region: "us-east-1",
    issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A",
    local: false,
    accessToken: "t",
    accessTokenExpiresAt: new Date(Date.now() + 1000_000).toISOString(),
    updatedAt: new Date().toISOString(),
    ...o,
  });
  const discoveryUrl = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A/.well-known/openid-configuration";

  it("parses the issuer and pool id out of a discovery URL", () => {
    expect(issuerFromDiscoveryUrl(discoveryUrl)).toBe("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A");
    expect(poolIdFromDiscoveryUrl(discoveryUrl)).toBe("us-east-1_A");
    expect(poolIdFromDiscoveryUrl("http://127.0.0.1:19229/local_x1/.well-known/openid-configuration")).toBe("local_x1");
    expect(poolIdFromDiscoveryUrl("https://login.example.com/.well-known/openid-configuration")).toBeUndefined();
  });

  it("keeps tokens of the authorizer's pool and allowed clients, the project's user first, then the longest-lived", () => {
    const entries = [
      base({ username: "other", accessTokenExpiresAt: new Date(Date.now() + 9000_000).toISOString() }),
      base({ username: "testuser" }),
      base({ clientId: "c2", username: "not-allowed" }),
      base({ userPoolId: "us-east-1_B", issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_B", username: "other-pool" }),
      // Issued through an endpoint override: iss differs, the pool id still matches.
      base({
        issuer: "http://127.0.0.1:5000/us-east-1_A",
        username: "via-override",
        accessTokenExpiresAt: new Date(Date.now() + 5000_000).toISOString(),
      }),
    ];
    const cognitoSection = { region: "us-east-1", userPoolId: "us-east-1_A", clientId: "c1", username: "testuser", discoveryUrl };
    const matched = matchCachedTokens(entries, { authorizer: { discoveryUrl, allowedClients: ["c1"] }, cognito: cognitoSection });
    expect(matched.map((e) => e.username)).toEqual(["testuser", "other", "via-override"]);
    const byAudience = matchCachedTokens(entries, { authorizer: { discoveryUrl, allowedAudience: ["c1"] } });
    expect(byAudience.map((e) => e.username)).toContain("not-allowed");
    expect(
      matchCachedTokens(entries, {
        authorizer: { discoveryUrl: "https://issuer.example.com/.well-known/openid-configuration", allowedClients: ["c1"] },
      }),
    ).toEqual([]);
  });
});
