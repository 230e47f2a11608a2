import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AuthorizerDecision,
  type CheckName,
  EXPIRY_MARGIN_SECONDS,
  explainOffline,
  JwtAuthorizer,
} from "../../src/auth/authorizer.js";
import type { CustomJwtAuthorizer } from "../../src/config/schema.js";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";

let issuer: FakeIssuer;
beforeAll(async () => {
  issuer = await startFakeIssuer();
});
afterAll(async () => {
  await issuer.close();
});

function authorizer(config: Partial<CustomJwtAuthorizer> = {}, options: ConstructorParameters<typeof JwtAuthorizer>[1] = {}) {
  return new JwtAuthorizer({ discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID], ...config }, options);
}

function check(decision: AuthorizerDecision, name: CheckName) {
  const found = decision.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} check`);
  return found;
}

function denied(decision: AuthorizerDecision) {
  if (decision.allowed) throw new Error("expected a denial");
  return decision;
}

describe("JwtAuthorizer", () => {
  it("accepts a valid Cognito-style access token and reports every check", async () => {
    const decision = await authorizer().authorize(await issuer.mint());
    expect(decision.allowed).toBe(true);
    expect(decision.checks.map((c) => [c.name, c.status])).toEqual([
      ["format", "pass"],
      ["discovery", "pass"],
      ["signature", "pass"],
      ["issuer", "pass"],
      ["expiry", "pass"],
      ["notBefore", "skip"],
      ["client_id", "pass"],
      ["aud", "skip"],
      ["scope", "skip"],
      ["customClaims", "skip"],
    ]);
    expect(decision.claims?.client_id).toBe(DEFAULT_CLIENT_ID);
  });

  it("rejects forged and invalid tokens with 401 UnauthorizedException and the service's wording, the reason in the explanation", async () => {
    const auth = authorizer();
    const now = Math.floor(Date.now() / 1000);
    const signature = "OAuth authorization failed: Token signature verification failed";
    const expired = "OAuth authorization failed: Token has expired";
    const cases: Array<[string, string, CheckName, RegExp, string]> = [
      // alg none has an empty signature segment: refused as no JWS before its header is even read.
      [
        "alg none",
        await issuer.forge.none(),
        "format",
        /its signature segment is empty/,
        "OAuth authorization failed: Failed to parse token",
      ],
      ["HS256 signed with the public key", await issuer.forge.hs256WithPublicKey(), "format", /alg "HS256" is not accepted/, signature],
      ["valid signature from another key", await issuer.forge.otherKey(), "signature", /does not verify/, signature],
      ["changed payload", await issuer.forge.changedPayload(), "signature", /does not verify/, signature],
      ["expired by one second", await issuer.mint({ exp: now - 1 }), "expiry", /expired \d+s ago/, expired],
      [
        "expiring inside the margin",
        await issuer.mint({ exp: now + EXPIRY_MARGIN_SECONDS - 5 }),
        "expiry",
        /rejects tokens that expire within 60s/,
        expired,
      ],
      [
        "nbf in the future",
        await issuer.mint({ nbf: now + 600 }),
        "notBefore",
        /not valid before/,
        "OAuth authorization failed: Token is not yet valid",
      ],
      [
        "iss with a trailing slash",
        await issuer.mint({}, { iss: `${issuer.issuer}/` }),
        "issuer",
        /does not equal the discovery issuer/,
        "Claim 'iss' value mismatch with configuration.",
      ],
      [
        "unknown kid",
        await issuer.mint({}, { key: await issuer.newKey("RS256", "nobody") }),
        "signature",
        /no key with kid "nobody"/,
        signature,
      ],
      ["not a JWT", "not-a-jwt", "format", /not a JWT/, "OAuth authorization failed: Failed to parse token"],
    ];
    for (const [label, token, failing, detail, message] of cases) {
      const decision = denied(await auth.authorize(token));
      expect({ label, status: decision.httpStatus, type: decision.errorType, message: decision.message }).toEqual({
        label,
        status: 401,
        type: "UnauthorizedException",
        message,
      });
      expect(check(decision, failing), label).toMatchObject({ status: "fail", detail: expect.stringMatching(detail) });
      expect(decision.explanation, label).toMatch(new RegExp(`^${failing}: `));
      expect(decision.explanation, label).not.toContain(token.slice(0, 20));
    }
    // Well-formed base64url segments that are no JWT: 403, as a real runtime answered `Bearer not.a.token`.
    expect(denied(await auth.authorize("not.a.token"))).toMatchObject({
      httpStatus: 403,
      errorType: "AccessDeniedException",
      message: "OAuth authorization failed: Failed to parse token",
    });
  });

  it("rejects a valid token whose client_id, aud or scope is not allowed with 401 and the service's wording", async () => {
    const other = denied(await authorizer().authorize(await issuer.mint({ client_id: "another-client" })));
    expect(other).toMatchObject({
      httpStatus: 401,
      errorType: "UnauthorizedException",
      message: "Claim 'client_id' value mismatch with configuration.",
    });
    expect(check(other, "client_id").detail).toContain('"another-client" is not in allowedClients');
    expect(other.explanation).toMatch(
      /^client_id: client_id "another-client" is not in allowedClients .*\. Get the token from an allowed app client/,
    );

    const audOnly = denied(
      await authorizer({ allowedClients: undefined, allowedAudience: [DEFAULT_CLIENT_ID] }).authorize(await issuer.mint()),
    );
    expect(audOnly).toMatchObject({
      httpStatus: 401,
      errorType: "UnauthorizedException",
      message: "Claim 'aud' value mismatch with configuration.",
    });
    expect(check(audOnly, "aud")).toMatchObject({
      status: "fail",
      detail: "the token has no aud claim",
      fix: "Cognito access tokens carry client_id, not aud: configure allowedClients.",
    });

    const idToken = denied(
      await authorizer().authorize(await issuer.mint({ client_id: undefined, aud: DEFAULT_CLIENT_ID, token_use: "id" })),
    );
    expect(check(idToken, "client_id").fix).toMatch(/looks like an ID token/);

    const scoped = authorizer({ allowedScopes: ["agent/invoke"] });
    expect(denied(await scoped.authorize(await issuer.mint())).message).toBe("Claim 'scope' value mismatch with configuration.");
    expect((await scoped.authorize(await issuer.mint({ scope: "openid agent/invoke" }))).allowed).toBe(true);
    // Okta and Entra ID put scopes in an `scp` array: any one listed scope passes too.
    expect((await scoped.authorize(await issuer.mint({ scope: undefined, scp: ["openid", "agent/invoke"] }))).allowed).toBe(true);
    const scp = denied(await scoped.authorize(await issuer.mint({ scope: undefined, scp: ["openid"] })));
    expect([scp.message, check(scp, "scope").detail]).toEqual([
      "Claim 'scope' value mismatch with configuration.",
      "scp [openid] has none of allowedScopes [agent/invoke]",
    ]);
  });

  it("verifies all configured lists (client_id and aud both required when both set)", async () => {
    const both = authorizer({ allowedAudience: ["api"] });
    expect((await both.authorize(await issuer.mint({ aud: ["api", "x"] }))).allowed).toBe(true);
    expect(denied(await both.authorize(await issuer.mint())).message).toBe("Claim 'aud' value mismatch with configuration.");
  });

  it("applies customClaims EQUALS, CONTAINS and CONTAINS_ANY", async () => {
    const rule = (name: string, type: string, operator: string, value: string | string[]) => ({
      inboundTokenClaimName: name,
      inboundTokenClaimValueType: type,
      authorizingClaimMatchValue: {
        claimMatchOperator: operator,
        claimMatchValue: Array.isArray(value) ? { matchValueStringList: value } : { matchValueString: value },
      },
    });
    const auth = authorizer({
      customClaims: [
        rule("tenant", "STRING", "EQUALS", "acme"),
        rule("cognito:groups", "STRING_ARRAY", "CONTAINS", "agents"),
        rule("roles", "STRING_ARRAY", "CONTAINS_ANY", ["admin", "dev"]),
      ],
    });
    const good = { tenant: "acme", "cognito:groups": ["users", "agents"], roles: ["dev"] };
    expect((await auth.authorize(await issuer.mint(good))).allowed).toBe(true);
    const wrongTenant = denied(await auth.authorize(await issuer.mint({ ...good, tenant: "evil" })));
    expect(wrongTenant).toMatchObject({ httpStatus: 401, message: "Claim 'tenant' value mismatch with configuration." });
    expect(check(wrongTenant, "customClaims").detail).toBe('claim "tenant" is "evil", expected "acme"');
    expect(denied(await auth.authorize(await issuer.mint({ ...good, "cognito:groups": ["users"] }))).message).toBe(
      "Claim 'cognito:groups' value mismatch with configuration.",
    );
    expect(denied(await auth.authorize(await issuer.mint({ ...good, roles: ["guest"] }))).httpStatus).toBe(401);
    expect(denied(await auth.authorize(await issuer.mint({ ...good, roles: "dev" }))).httpStatus).toBe(401);
  });

  it("refetches the JWKS for a new kid after rotation, at most once per cooldown for unknown kids", async () => {
    const local = await startFakeIssuer();
    try {
      const auth = new JwtAuthorizer(
        { discoveryUrl: local.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] },
        { jwksRefetchCooldownMs: 60_000 },
      );
      expect((await auth.authorize(await local.mint())).allowed).toBe(true);
      expect(local.fetches).toEqual({ discovery: 1, jwks: 1 });
      await local.rotate();
      expect((await auth.authorize(await local.mint())).allowed).toBe(true);
      expect(local.fetches.jwks).toBe(2);
      // Junk kids inside the cooldown do not reach the issuer.
      const junk = await local.newKey("RS256", "junk");
      for (let i = 0; i < 3; i++) expect(denied(await auth.authorize(await local.mint({}, { key: junk }))).httpStatus).toBe(401);
      expect(local.fetches.jwks).toBe(2);
    } finally {
      await local.close();
    }
  });

  it("fails closed when the issuer is down: 503 without cached keys, never an exception", async () => {
    const local = await startFakeIssuer();
    try {
      const token = await local.mint();
      const warm = new JwtAuthorizer({ discoveryUrl: local.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] });
      expect((await warm.authorize(token)).allowed).toBe(true);
      local.down = true;
      const cold = denied(
        await new JwtAuthorizer({ discoveryUrl: local.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] }).authorize(token),
      );
      expect(cold).toMatchObject({ httpStatus: 503, errorType: "ServiceUnavailableException" });
      expect(check(cold, "discovery")).toMatchObject({ status: "fail", detail: expect.stringMatching(/could not be fetched/) });
      expect(check(cold, "signature").status).toBe("skip");
      // Keys fetched before the outage keep verifying tokens they signed; forged ones still fail.
      expect((await warm.authorize(await local.mint({ jti: "second" }))).allowed).toBe(true);
      expect(denied(await warm.authorize(await local.forge.otherKey())).httpStatus).toBe(401);
    } finally {
      await local.close();
    }
  });

  it("says why the issuer could not be reached (the network error's code or message, not just TypeError)", async () => {
    // Port 9 is on fetch's blocked-port list: the cause has a message ("bad port") and no code.
    const blocked = denied(
      await new JwtAuthorizer({ discoveryUrl: "http://127.0.0.1:9/pool/.well-known/openid-configuration" }).authorize(await issuer.mint()),
    );
    expect(blocked.httpStatus).toBe(503);
    expect(check(blocked, "discovery").detail).toMatch(/could not be fetched \(bad port\)$/);
  });

  it("treats a discovery document without jwks_uri as the issuer's misconfiguration (401)", async () => {
    const fakeFetch = (async () => new Response(JSON.stringify({ issuer: issuer.issuer }), { status: 200 })) as typeof fetch;
    const decision = denied(await authorizer({}, { fetch: fakeFetch }).authorize(await issuer.mint()));
    expect(decision).toMatchObject({ httpStatus: 401, errorType: "UnauthorizedException" });
    expect(check(decision, "discovery").detail).toMatch(/has no issuer or jwks_uri/);
  });

  it("does not cache a verdict past the token's expiry", async () => {
    let now = Date.now();
    const auth = authorizer({}, { now: () => now });
    const token = await issuer.mint({}, { expiresIn: 120 });
    expect((await auth.authorize(token)).allowed).toBe(true);
    expect((await auth.authorize(token)).checks.find((c) => c.name === "signature")?.detail).toMatch(/cached/);
    now += 61_000;
    expect(denied(await auth.authorize(token)).checks.find((c) => c.name === "expiry")?.status).toBe("fail");
  });
});

describe("explainOffline (invoke's hint after a refusal)", () => {
  it("names the first failing check it can make without the network, or nothing", async () => {
    const config = { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] };
    const before = { ...issuer.fetches };
    expect(explainOffline(await issuer.mint(), config)).toBeUndefined();
    expect(explainOffline(await issuer.mint({ client_id: "other" }), config)).toMatch(
      /^client_id "other" is not in allowedClients .*\. Get the token/,
    );
    expect(explainOffline(await issuer.mint({ exp: Math.floor(Date.now() / 1000) - 120 }), config)).toMatch(/^expired 2m ago/);
    expect(explainOffline("a b.c.d", config)).toMatch(/^not a JWT: its header segment holds characters outside base64url/);
    expect(issuer.fetches).toEqual(before);
  });
});
