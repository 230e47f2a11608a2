/** The generic OAuth flows (src/auth/oauth.ts, on openid-client) against a real OpenID provider (oidc-provider) on loopback. */
import { createRemoteJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
  authorizationCodeToken,
  clientCredentialsToken,
  deviceCodeToken,
  oauthConfiguration,
  refreshTokens,
} from "../../src/auth/oauth.js";
import { AUDIENCE, M2M_SECRET, signIn, USERS, useOidcProvider } from "../fakes/oidc-provider.js";
import { freePort } from "../support/cli.js";

const provider = useOidcProvider();

async function verify(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${provider.op.issuer}/jwks`));
  return (await jwtVerify(token, jwks, { issuer: provider.op.issuer, audience: AUDIENCE })).payload;
}

describe("client credentials", () => {
  it("gets a JWT access token for the client, signed with a key the JWKS serves", async () => {
    const tokens = await clientCredentialsToken(
      { discoveryUrl: provider.op.discoveryUrl, clientId: "m2m-client", clientSecret: M2M_SECRET },
      { scope: "invoke", resource: AUDIENCE },
    );
    const claims = await verify(tokens.accessToken);
    expect(claims).toMatchObject({ client_id: "m2m-client", scope: "invoke", iss: provider.op.issuer });
    expect(tokens.subject).toBe("m2m-client");
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });

  it("a wrong secret gives the issuer's error and a hint, never the secret", async () => {
    const error = await clientCredentialsToken({
      discoveryUrl: provider.op.discoveryUrl,
      clientId: "m2m-client",
      clientSecret: "wrong-secret",
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "OAuthError", message: expect.stringContaining("invalid_client") });
    expect((error as { hint: string }).hint).toMatch(/client id and secret/);
    expect(JSON.stringify({ m: (error as Error).message, h: (error as { hint: string }).hint })).not.toContain("wrong-secret");
  });

  it("an issuer that is down is named as unreachable", async () => {
    const port = await freePort();
    const error = await clientCredentialsToken({
      discoveryUrl: `http://127.0.0.1:${port}/.well-known/openid-configuration`,
      clientId: "m2m-client",
      clientSecret: M2M_SECRET,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "IssuerUnreachable" });
  });

  it("refuses a plain-http issuer that is not on loopback", async () => {
    await expect(
      oauthConfiguration({ discoveryUrl: "http://example.com/.well-known/openid-configuration", clientId: "x" }),
    ).rejects.toMatchObject({
      code: "InvalidDiscoveryUrl",
    });
  });
});

describe("authorization code + PKCE with a loopback redirect", () => {
  it("signs in through the login form and consent (driven by HTTP), then refreshes; a revoked refresh token is refused", async () => {
    let page: Response | undefined;
    const tokens = await authorizationCodeToken(
      { discoveryUrl: provider.op.discoveryUrl, clientId: "web-client" },
      {
        port: provider.redirectPort,
        scope: "openid offline_access invoke",
        timeoutMs: 20_000,
        onAuthorizationUrl: async (url) => {
          const parsed = new URL(url);
          expect(parsed.searchParams.get("code_challenge_method")).toBe("S256");
          expect(parsed.searchParams.get("state")).toBeTruthy();
          expect(parsed.searchParams.get("redirect_uri")).toBe(`http://localhost:${provider.redirectPort}/callback`);
          // Not awaited here: the callback only answers once the code is exchanged.
          void signIn(url, { login: "alice", password: USERS.alice }).then((r) => (page = r));
        },
      },
    );
    const claims = await verify(tokens.accessToken);
    expect(claims).toMatchObject({ sub: "alice", client_id: "web-client", scope: expect.stringContaining("invoke") });
    expect(tokens.subject).toBe("alice");
    expect(tokens.refreshToken).toBeTruthy();
    await expect.poll(() => page?.status).toBe(200);

    const refreshed = await refreshTokens({ discoveryUrl: provider.op.discoveryUrl, clientId: "web-client" }, tokens.refreshToken!);
    expect((await verify(refreshed.accessToken)).sub).toBe("alice");
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);

    // Revoke the (rotated) refresh token at the issuer: the next refresh is refused with invalid_grant.
    const latest = refreshed.refreshToken!;
    const revoked = await fetch(`${provider.op.issuer}/token/revocation`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: latest, client_id: "web-client", token_type_hint: "refresh_token" }),
    });
    expect(revoked.status).toBe(200);
    await expect(refreshTokens({ discoveryUrl: provider.op.discoveryUrl, clientId: "web-client" }, latest)).rejects.toMatchObject({
      code: "RefreshTokenRejected",
    });
  });

  it("times out when no sign-in comes back, naming the callback URL", async () => {
    const port = await freePort();
    await expect(
      authorizationCodeToken(
        { discoveryUrl: provider.op.discoveryUrl, clientId: "web-client" },
        { port, timeoutMs: 200, onAuthorizationUrl: () => undefined },
      ),
    ).rejects.toMatchObject({ code: "ETIMEDOUT", message: expect.stringContaining(`localhost:${port}/callback`) });
  });
});

describe("device authorization", () => {
  it("shows the user code, polls until the user has signed in, and gets tokens", async () => {
    const tokens = await deviceCodeToken(
      { discoveryUrl: provider.op.discoveryUrl, clientId: "device-client" },
      {
        scope: "openid offline_access invoke",
        onUserCode: ({ userCode, verificationUri, verificationUriComplete }) => {
          expect(userCode).toMatch(/\w/);
          expect(verificationUri).toBe(`${provider.op.issuer}/device`);
          void signIn(verificationUriComplete!, { login: "alice", password: USERS.alice });
        },
      },
    );
    expect((await verify(tokens.accessToken)).sub).toBe("alice");
    expect(tokens.refreshToken).toBeTruthy();
  });
});
