/**
 * The authorizer's claim checks, each a pure function of the (decoded) payload and the authorizer
 * configuration: iss, exp, nbf, and the allow lists (allowedClients, allowedAudience, allowedScopes,
 * customClaims). Each says what it found and, when it fails, how to fix it.
 */
import type { JWTPayload } from "jose";
import { compactDuration } from "../../ui/format.js";
import type { DiscoveryDocument } from "../discovery.js";
import type { AuthorizerCheck } from "./types.js";

/**
 * AgentCore Runtime reportedly rejects tokens that expire within about a minute
 * (aws-samples/sample-strands-agent-with-agentcore#265), so a token with exp <= now + 60 s counts as
 * expired here too: a token that passes locally will not expire on its way through the service.
 */
export const EXPIRY_MARGIN_SECONDS = 60;

type CustomClaimRule = {
  inboundTokenClaimName?: unknown;
  inboundTokenClaimValueType?: unknown;
  authorizingClaimMatchValue?: {
    claimMatchValue?: { matchValueString?: unknown; matchValueStringList?: unknown };
    claimMatchOperator?: unknown;
  };
};

/** iss must equal the discovery document's issuer exactly. */
export function issuerCheck(payload: JWTPayload, doc: DiscoveryDocument | undefined): AuthorizerCheck {
  if (!doc) return { name: "issuer", status: "skip", detail: "not checked: no discovery document" };
  if (payload.iss === doc.issuer) return { name: "issuer", status: "pass", detail: `iss "${payload.iss}" matches the discovery issuer` };
  return {
    name: "issuer",
    status: "fail",
    detail:
      payload.iss === undefined
        ? "the token has no iss claim"
        : `iss "${String(payload.iss)}" does not equal the discovery issuer "${doc.issuer}"`,
    fix: "Use a token from the issuer behind discoveryUrl (iss must match exactly, including any trailing slash), or point discoveryUrl at the token's issuer.",
  };
}

export function expiryCheck(payload: JWTPayload, nowSeconds: number, margin: number): AuthorizerCheck {
  const exp = payload.exp;
  const fix = "Get a fresh token: agentcore-ts token refresh.";
  if (typeof exp !== "number") return { name: "expiry", status: "fail", detail: "the token has no numeric exp claim", fix };
  const left = Math.floor(exp - nowSeconds);
  if (exp <= nowSeconds) {
    return {
      name: "expiry",
      status: "fail",
      detail: `expired ${compactDuration(-left)} ago (exp ${new Date(exp * 1000).toISOString()})`,
      fix,
    };
  }
  if (exp <= nowSeconds + margin) {
    return { name: "expiry", status: "fail", detail: `expires in ${left}s: AgentCore rejects tokens that expire within ${margin}s`, fix };
  }
  return { name: "expiry", status: "pass", detail: `valid for ${compactDuration(left)} more (exp ${new Date(exp * 1000).toISOString()})` };
}

export function notBeforeCheck(payload: JWTPayload, nowSeconds: number): AuthorizerCheck {
  if (payload.nbf === undefined) return { name: "notBefore", status: "skip", detail: "no nbf claim" };
  if (typeof payload.nbf !== "number")
    return { name: "notBefore", status: "fail", detail: "nbf is not a number", fix: "Use a token from your identity provider." };
  if (payload.nbf > nowSeconds) {
    return {
      name: "notBefore",
      status: "fail",
      detail: `not valid before ${new Date(payload.nbf * 1000).toISOString()} (in ${compactDuration(Math.ceil(payload.nbf - nowSeconds))})`,
      fix: "Check this machine's clock, or wait until the token becomes valid.",
    };
  }
  return { name: "notBefore", status: "pass", detail: `valid since ${new Date(payload.nbf * 1000).toISOString()}` };
}

export function clientIdCheck(payload: JWTPayload, allowed: string[] | undefined): AuthorizerCheck {
  if (!allowed?.length) return { name: "client_id", status: "skip", detail: "allowedClients not configured" };
  const clientId = payload.client_id;
  if (typeof clientId === "string" && allowed.includes(clientId)) {
    return { name: "client_id", status: "pass", detail: `client_id "${clientId}" is in allowedClients` };
  }
  if (clientId === undefined) {
    const idToken = payload.aud !== undefined;
    return {
      name: "client_id",
      status: "fail",
      detail: "the token has no client_id claim",
      fix: idToken
        ? "This looks like an ID token (aud, no client_id): send the access token, or configure allowedAudience instead."
        : "Use an access token from the allowed app client (Cognito access tokens carry client_id).",
    };
  }
  return {
    name: "client_id",
    status: "fail",
    detail: `client_id "${String(clientId)}" is not in allowedClients [${allowed.join(", ")}]`,
    fix: "Get the token from an allowed app client, or add this client id to allowedClients (agentcore-ts configure).",
  };
}

export function audienceCheck(payload: JWTPayload, allowed: string[] | undefined): AuthorizerCheck {
  if (!allowed?.length) return { name: "aud", status: "skip", detail: "allowedAudience not configured" };
  const aud = payload.aud;
  const values = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((v): v is string => typeof v === "string") : [];
  const match = values.find((v) => allowed.includes(v));
  if (match !== undefined) return { name: "aud", status: "pass", detail: `aud "${match}" is in allowedAudience` };
  if (values.length === 0) {
    return {
      name: "aud",
      status: "fail",
      detail: "the token has no aud claim",
      fix:
        payload.client_id !== undefined
          ? "Cognito access tokens carry client_id, not aud: configure allowedClients."
          : "Request a token for one of the allowed audiences.",
    };
  }
  return {
    name: "aud",
    status: "fail",
    detail: `aud [${values.join(", ")}] has no value in allowedAudience [${allowed.join(", ")}]`,
    fix: "Request a token for one of the allowed audiences, or add the token's audience to allowedAudience.",
  };
}

/**
 * allowedScopes: one of the token's scopes is listed. Scopes are the space-separated `scope` string
 * (RFC 9068 section 2.2.3, Cognito) or the `scp` array (Okta, Entra ID); the service reads either.
 */
export function scopeCheck(payload: JWTPayload, allowed: string[] | undefined): AuthorizerCheck {
  if (!allowed?.length) return { name: "scope", status: "skip", detail: "allowedScopes not configured" };
  const fromScope = typeof payload.scope === "string" ? payload.scope.split(" ").filter((s) => s !== "") : [];
  const fromScp = Array.isArray(payload.scp) ? payload.scp.filter((s): s is string => typeof s === "string") : [];
  const scopes = [...fromScope, ...fromScp];
  const claim = fromScope.length === 0 && fromScp.length > 0 ? "scp" : "scope";
  const match = scopes.find((s) => allowed.includes(s));
  if (match !== undefined) return { name: "scope", status: "pass", detail: `${claim} "${match}" is in allowedScopes` };
  return {
    name: "scope",
    status: "fail",
    detail:
      scopes.length === 0
        ? "the token has no scope (or scp) claim"
        : `${claim} [${scopes.join(", ")}] has none of allowedScopes [${allowed.join(", ")}]`,
    fix: "Request a token with one of the allowed scopes (Cognito InitiateAuth tokens only carry aws.cognito.signin.user.admin; custom scopes come from the OAuth2 token endpoint), or change allowedScopes.",
  };
}

export function customClaimsCheck(payload: JWTPayload, rules: unknown[] | undefined): AuthorizerCheck {
  if (!rules?.length) return { name: "customClaims", status: "skip", detail: "customClaims not configured" };
  const passed: string[] = [];
  for (const raw of rules) {
    const result = evaluateCustomClaim(payload, raw as CustomClaimRule);
    if (!result.ok) {
      return {
        name: "customClaims",
        status: "fail",
        detail: result.detail,
        fix: "Use a token carrying the required claim value, or change customClaims.",
      };
    }
    passed.push(result.detail);
  }
  return { name: "customClaims", status: "pass", detail: passed.join("; ") };
}

/**
 * One customClaims rule: STRING + EQUALS, STRING_ARRAY + CONTAINS / CONTAINS_ANY
 * (https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CustomClaimValidationType.html).
 */
export function evaluateCustomClaim(payload: JWTPayload, rule: CustomClaimRule): { ok: boolean; claim?: string; detail: string } {
  const name = rule?.inboundTokenClaimName;
  const type = rule?.inboundTokenClaimValueType;
  const operator = rule?.authorizingClaimMatchValue?.claimMatchOperator;
  const match = rule?.authorizingClaimMatchValue?.claimMatchValue;
  if (typeof name !== "string" || (type !== "STRING" && type !== "STRING_ARRAY") || typeof operator !== "string" || !match) {
    return {
      ok: false,
      detail: "a customClaims rule is malformed (needs inboundTokenClaimName, inboundTokenClaimValueType, authorizingClaimMatchValue)",
    };
  }
  const single = typeof match.matchValueString === "string" ? match.matchValueString : undefined;
  const list = Array.isArray(match.matchValueStringList)
    ? match.matchValueStringList.filter((v): v is string => typeof v === "string")
    : undefined;
  const expected = single !== undefined ? [single] : (list ?? []);
  const value = payload[name];
  const shown = value === undefined ? "absent" : JSON.stringify(value);
  if (type === "STRING") {
    if (operator !== "EQUALS" || expected.length !== 1) {
      return { ok: false, claim: name, detail: `rule for "${name}": a STRING claim needs EQUALS with one matchValueString` };
    }
    const ok = value === expected[0];
    return { ok, claim: name, detail: ok ? `${name} equals "${expected[0]}"` : `claim "${name}" is ${shown}, expected "${expected[0]}"` };
  }
  const values = Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
  if (operator === "CONTAINS") {
    const ok = values !== undefined && expected.length > 0 && expected.every((e) => values.includes(e));
    return {
      ok,
      claim: name,
      detail: ok
        ? `${name} contains ${expected.map((e) => `"${e}"`).join(", ")}`
        : `claim "${name}" is ${shown}, expected an array containing ${expected.map((e) => `"${e}"`).join(", ")}`,
    };
  }
  if (operator === "CONTAINS_ANY") {
    const found = values?.find((v) => expected.includes(v));
    const ok = found !== undefined;
    return {
      ok,
      claim: name,
      detail: ok
        ? `${name} contains "${found}"`
        : `claim "${name}" is ${shown}, expected an array containing any of ${expected.map((e) => `"${e}"`).join(", ")}`,
    };
  }
  return {
    ok: false,
    claim: name,
    detail: `rule for "${name}": unknown operator ${operator} (STRING_ARRAY takes CONTAINS or CONTAINS_ANY)`,
  };
}
