/**
 * THE JWT authorizer: validates a bearer token the way AgentCore Runtime's customJWTAuthorizer
 * does. One module, shared by `token verify` (which prints every check) and the local gateway
 * (which turns the decision into 401/403 responses). Built on jose; no hand-written crypto.
 *
 * What it does, in order (aws-contracts.md section 4):
 *   format -> discovery (issuer + jwks_uri, cached) -> signature (JWKS by kid, asymmetric algorithms
 *   only; an unknown kid refetches the JWKS, rate-limited) -> iss == discovery issuer -> exp/nbf ->
 *   allowedClients (client_id) -> allowedAudience (aud) -> allowedScopes (scope) -> customClaims.
 * Every check is reported (pass/fail/skip), so `token verify` can say what is wrong and how to fix it;
 * the first failing check decides the HTTP answer. It never throws for a bad token or a down issuer:
 * it fails closed (401/503) and never accepts what it could not verify.
 */
import { createHash } from "node:crypto";
import {
  type CompactJWSHeaderParameters,
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  errors as joseErrors,
} from "jose";
import type { CustomJwtAuthorizer } from "../config/schema.js";
import { compactDuration } from "../ui/format.js";

export type CheckName =
  | "format"
  | "discovery"
  | "signature"
  | "issuer"
  | "expiry"
  | "notBefore"
  | "client_id"
  | "aud"
  | "scope"
  | "customClaims";

export interface AuthorizerCheck {
  name: CheckName;
  status: "pass" | "fail" | "skip";
  /** What was found, e.g. `client_id "abc" is in allowedClients`. Never contains the token. */
  detail: string;
  /** For a failure: how to fix it (e.g. "Cognito access tokens carry no aud: configure allowedClients"). */
  fix?: string;
}

export type AuthorizerErrorType = "UnauthorizedException" | "AccessDeniedException" | "ServiceUnavailableException";

export type AuthorizerDecision =
  | { allowed: true; claims: JWTPayload; checks: AuthorizerCheck[] }
  | {
      allowed: false;
      /** 401: malformed, bad signature, unknown key, wrong iss, expired. 403: claim not allowed. 503: issuer unreachable. */
      httpStatus: 401 | 403 | 503;
      errorType: AuthorizerErrorType;
      /** Service-style message for the response body. */
      message: string;
      checks: AuthorizerCheck[];
      /** Decoded (possibly unverified) claims, for diagnostics only. */
      claims?: JWTPayload;
    };

export interface JwtAuthorizerOptions {
  /** Injected for tests. */
  fetch?: typeof fetch;
  /** Milliseconds since epoch; injected for tests. */
  now?: () => number;
  /** Timeout for discovery and JWKS fetches. */
  fetchTimeoutMs?: number;
  /** Minimum interval between JWKS refetches triggered by an unknown kid. */
  jwksRefetchCooldownMs?: number;
  /** How long a fetched discovery document is used before it is fetched again (a failed refresh keeps the old one). */
  discoveryMaxAgeMs?: number;
  /** How long a fetched JWKS is used before it is fetched again (a failed refresh keeps the old one). */
  jwksMaxAgeMs?: number;
  /** Tokens whose exp is within this many seconds count as expired (default EXPIRY_MARGIN_SECONDS). */
  expiryMarginSeconds?: number;
  /** Verified-signature cache size (entries live until the token's exp; cleared when the JWKS changes). 0 disables it. */
  verifiedCacheSize?: number;
}

/**
 * AgentCore Runtime reportedly rejects tokens that expire within about a minute
 * (aws-samples/sample-strands-agent-with-agentcore#265), so a token with exp <= now + 60 s counts as
 * expired here too: a token that passes locally will not expire on its way through the service.
 */
export const EXPIRY_MARGIN_SECONDS = 60;

/** Asymmetric signature algorithms only: never "none", never HS* (a public key must not work as an HMAC secret). */
export const ACCEPTED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"] as const;

const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
const DEFAULT_JWKS_REFETCH_COOLDOWN_MS = 5_000;
const DEFAULT_DISCOVERY_MAX_AGE_MS = 60 * 60_000;
const DEFAULT_JWKS_MAX_AGE_MS = 10 * 60_000;
const DEFAULT_VERIFIED_CACHE_SIZE = 1_000;

/** The discovery document fields the authorizer uses. */
export interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
}

/** A failed fetch: `unreachable` (network, timeout, 5xx) answers 503; an invalid answer is the issuer's misconfiguration (401). */
class IssuerFetchError extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

interface VerifiedEntry {
  payload: JWTPayload;
  /** Seconds since epoch after which the entry is useless (the token's exp). */
  exp: number;
  kid?: string;
  alg: string;
}

type CustomClaimRule = {
  inboundTokenClaimName?: unknown;
  inboundTokenClaimValueType?: unknown;
  authorizingClaimMatchValue?: {
    claimMatchValue?: { matchValueString?: unknown; matchValueStringList?: unknown };
    claimMatchOperator?: unknown;
  };
};

export class JwtAuthorizer {
  private discovery?: { doc: DiscoveryDocument; fetchedAt: number };
  private discoveryInFlight?: Promise<DiscoveryDocument>;
  private jwks?: { keySet: ReturnType<typeof createLocalJWKSet>; kids: string[]; fetchedAt: number };
  private jwksInFlight?: Promise<void>;
  private lastKidRefetchAt = Number.NEGATIVE_INFINITY;
  private readonly verified = new Map<string, VerifiedEntry>();
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(
    readonly config: CustomJwtAuthorizer,
    readonly options: JwtAuthorizerOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** Validates `token` (without the "Bearer " prefix). Never throws for a bad token or a down issuer. */
  async authorize(token: string): Promise<AuthorizerDecision> {
    try {
      return await this.evaluate(token.trim());
    } catch (error) {
      // Defensive: an unexpected failure must deny, never accept and never crash the caller.
      return finish([{ name: "format", status: "fail", detail: `unexpected error: ${(error as Error).message}` }], undefined);
    }
  }

  /** Fetches discovery and JWKS ahead of the first request; throws (readable message) when the issuer cannot be reached. */
  async warmUp(): Promise<DiscoveryDocument> {
    const doc = await this.discover();
    await this.ensureJwks(doc.jwks_uri, false);
    return doc;
  }

  /** The discovery document (cached); throws an Error with a readable message when it cannot be fetched. */
  async discover(): Promise<DiscoveryDocument> {
    const cached = this.discovery;
    const maxAge = this.options.discoveryMaxAgeMs ?? DEFAULT_DISCOVERY_MAX_AGE_MS;
    if (cached && this.now() - cached.fetchedAt < maxAge) return cached.doc;
    try {
      return await this.refreshDiscovery();
    } catch (error) {
      if (cached) return cached.doc; // a failed refresh keeps the last good document
      throw error;
    }
  }

  private refreshDiscovery(): Promise<DiscoveryDocument> {
    this.discoveryInFlight ??= (async () => {
      try {
        const body = await this.fetchJson(this.config.discoveryUrl, "discovery document");
        const doc = body as Partial<DiscoveryDocument>;
        if (typeof doc.issuer !== "string" || doc.issuer === "" || typeof doc.jwks_uri !== "string" || doc.jwks_uri === "") {
          throw new IssuerFetchError(`the discovery document at ${this.config.discoveryUrl} has no issuer or jwks_uri`, false);
        }
        const value = { issuer: doc.issuer, jwks_uri: doc.jwks_uri };
        this.discovery = { doc: value, fetchedAt: this.now() };
        return value;
      } finally {
        this.discoveryInFlight = undefined;
      }
    })();
    return this.discoveryInFlight;
  }

  private async ensureJwks(jwksUri: string, force: boolean): Promise<void> {
    const maxAge = this.options.jwksMaxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS;
    if (!force && this.jwks && this.now() - this.jwks.fetchedAt < maxAge) return;
    this.jwksInFlight ??= (async () => {
      try {
        const body = await this.fetchJson(jwksUri, "JWKS");
        let keySet: ReturnType<typeof createLocalJWKSet>;
        try {
          keySet = createLocalJWKSet(body as JSONWebKeySet);
        } catch (error) {
          throw new IssuerFetchError(`the JWKS at ${jwksUri} is invalid: ${(error as Error).message}`, false);
        }
        const kids = ((body as JSONWebKeySet).keys ?? []).map((k) => k.kid).filter((k): k is string => typeof k === "string");
        this.jwks = { keySet, kids, fetchedAt: this.now() };
        this.verified.clear(); // a key may have been withdrawn: re-verify everything against the new set
      } finally {
        this.jwksInFlight = undefined;
      }
    })();
    try {
      await this.jwksInFlight;
    } catch (error) {
      if (!this.jwks) throw error; // with a previous set, keep using it (known keys stay valid while the issuer is down)
    }
  }

  private async fetchJson(url: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS),
      });
    } catch (error) {
      // fetch's TypeError says only "fetch failed": the reason is in its cause (a code, or a message such as "bad port").
      const reason = (error as { cause?: { code?: string; message?: string } }).cause;
      const cause = reason?.code ?? reason?.message ?? (error as Error).name;
      throw new IssuerFetchError(`the ${what} at ${url} could not be fetched (${cause})`, true);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new IssuerFetchError(`the ${what} at ${url} answered HTTP ${response.status}`, response.status >= 500);
    }
    try {
      return await response.json();
    } catch {
      throw new IssuerFetchError(`the ${what} at ${url} is not JSON`, false);
    }
  }

  private async evaluate(token: string): Promise<AuthorizerDecision> {
    const checks: AuthorizerCheck[] = [];
    const nowSeconds = this.now() / 1000;
    const cacheKey = this.cacheSize() > 0 ? createHash("sha256").update(token).digest("base64url") : "";
    const hit = cacheKey ? this.verified.get(cacheKey) : undefined;

    // 1. format
    let header: CompactJWSHeaderParameters;
    let payload: JWTPayload;
    if (hit) {
      header = { alg: hit.alg, kid: hit.kid };
      payload = hit.payload;
      checks.push({ name: "format", status: "pass", detail: `a signed JWT (alg ${hit.alg})` });
    } else {
      const decoded = decodeToken(token);
      if ("problem" in decoded) {
        checks.push({
          name: "format",
          status: "fail",
          detail: decoded.problem,
          fix: 'Send the access token itself: three base64url parts separated by dots, without quotes or the "Bearer " prefix.',
        });
        return finish(checks, undefined);
      }
      ({ header, payload } = decoded);
      const alg = String(header.alg);
      if (!(ACCEPTED_ALGORITHMS as readonly string[]).includes(alg)) {
        checks.push({
          name: "format",
          status: "fail",
          detail: `header alg "${alg}" is not accepted: only asymmetric algorithms (${ACCEPTED_ALGORITHMS.join(", ")})`,
          fix: "Use an access token issued and signed by your identity provider (Cognito signs with RS256).",
        });
        return finish(checks, payload);
      }
      checks.push({ name: "format", status: "pass", detail: `a signed JWT (alg ${alg}${header.kid ? `, kid ${header.kid}` : ""})` });
    }

    // 2. discovery
    let doc: DiscoveryDocument | undefined;
    let discoveryFailure: IssuerFetchError | undefined;
    try {
      doc = await this.discover();
      checks.push({ name: "discovery", status: "pass", detail: `issuer ${doc.issuer}, jwks_uri ${doc.jwks_uri}` });
    } catch (error) {
      discoveryFailure = error instanceof IssuerFetchError ? error : new IssuerFetchError((error as Error).message, true);
      checks.push({
        name: "discovery",
        status: "fail",
        detail: discoveryFailure.message,
        fix: discoveryFailure.unreachable
          ? "Check that the issuer is up and reachable from here (for the embedded Cognito: agentcore-ts launch --local starts it)."
          : `Check discoveryUrl: ${this.config.discoveryUrl} must serve the issuer's OpenID configuration (issuer, jwks_uri).`,
      });
    }

    // 3. signature
    if (!doc) {
      checks.push({ name: "signature", status: "skip", detail: "not checked: no discovery document" });
    } else if (hit) {
      checks.push({ name: "signature", status: "pass", detail: `verified with key ${hit.kid ?? "(no kid)"} (cached result)` });
    } else {
      const verdict = await this.verifySignature(token, header, doc.jwks_uri);
      checks.push(verdict.check);
      if (verdict.check.status === "pass" && cacheKey && typeof payload.exp === "number") {
        this.remember(cacheKey, { payload, exp: payload.exp, kid: header.kid, alg: String(header.alg) });
      }
      if (verdict.unreachable) discoveryFailure = verdict.unreachable;
    }

    // 4. issuer
    if (!doc) {
      checks.push({ name: "issuer", status: "skip", detail: "not checked: no discovery document" });
    } else if (payload.iss === doc.issuer) {
      checks.push({ name: "issuer", status: "pass", detail: `iss "${payload.iss}" matches the discovery issuer` });
    } else {
      checks.push({
        name: "issuer",
        status: "fail",
        detail:
          payload.iss === undefined
            ? "the token has no iss claim"
            : `iss "${String(payload.iss)}" does not equal the discovery issuer "${doc.issuer}"`,
        fix: "Use a token from the issuer behind discoveryUrl (iss must match exactly, including any trailing slash), or point discoveryUrl at the token's issuer.",
      });
    }

    // 5-6. expiry and not-before
    const margin = this.options.expiryMarginSeconds ?? EXPIRY_MARGIN_SECONDS;
    checks.push(expiryCheck(payload, nowSeconds, margin));
    checks.push(notBeforeCheck(payload, nowSeconds));

    // 7-10. the allow lists
    checks.push(clientIdCheck(payload, this.config.allowedClients));
    checks.push(audienceCheck(payload, this.config.allowedAudience));
    checks.push(scopeCheck(payload, this.config.allowedScopes));
    checks.push(customClaimsCheck(payload, this.config.customClaims));

    return finish(checks, payload, { unreachable: discoveryFailure?.unreachable === true });
  }

  private async verifySignature(
    token: string,
    header: CompactJWSHeaderParameters,
    jwksUri: string,
  ): Promise<{ check: AuthorizerCheck; unreachable?: IssuerFetchError }> {
    const fixKey = "Use a token signed by this issuer's current keys (get a fresh one: agentcore-ts token refresh).";
    try {
      await this.ensureJwks(jwksUri, false);
    } catch (error) {
      const failure = error instanceof IssuerFetchError ? error : new IssuerFetchError((error as Error).message, true);
      return {
        check: {
          name: "signature",
          status: "fail",
          detail: `not verified: ${failure.message}`,
          fix: "Check that the issuer's JWKS is reachable from here.",
        },
        unreachable: failure.unreachable ? failure : undefined,
      };
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await verifyWithKeySet(token, this.jwks!.keySet);
        return {
          check: { name: "signature", status: "pass", detail: `verified with key ${header.kid ?? "(no kid)"} from the issuer's JWKS` },
        };
      } catch (error) {
        if (error instanceof joseErrors.JWKSNoMatchingKey) {
          if (attempt === 0 && this.mayRefetchForUnknownKid()) {
            try {
              await this.ensureJwks(jwksUri, true);
            } catch {
              // fall through: still no matching key
            }
            continue;
          }
          return {
            check: {
              name: "signature",
              status: "fail",
              detail: `no key ${header.kid ? `with kid "${header.kid}"` : "matching the token"} in the issuer's JWKS (kids: ${this.jwks!.kids.join(", ") || "none"})`,
              fix: fixKey,
            },
          };
        }
        const detail =
          error instanceof joseErrors.JWSSignatureVerificationFailed
            ? "the signature does not verify with the issuer's key"
            : `the signature could not be verified (${(error as Error).message})`;
        return {
          check: {
            name: "signature",
            status: "fail",
            detail,
            fix: "The token was altered or signed by another key: use the token exactly as the issuer returned it.",
          },
        };
      }
    }
  }

  /** One JWKS refetch per cooldown for unknown kids: a stream of junk kids cannot hammer the issuer. */
  private mayRefetchForUnknownKid(): boolean {
    const now = this.now();
    if (now - this.lastKidRefetchAt < (this.options.jwksRefetchCooldownMs ?? DEFAULT_JWKS_REFETCH_COOLDOWN_MS)) return false;
    this.lastKidRefetchAt = now;
    return true;
  }

  private cacheSize(): number {
    return this.options.verifiedCacheSize ?? DEFAULT_VERIFIED_CACHE_SIZE;
  }

  private remember(key: string, entry: VerifiedEntry): void {
    if (this.verified.size >= this.cacheSize()) {
      const nowSeconds = this.now() / 1000;
      for (const [k, v] of this.verified) if (v.exp <= nowSeconds) this.verified.delete(k);
      if (this.verified.size >= this.cacheSize()) this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(key, entry);
  }
}

async function verifyWithKeySet(token: string, keySet: ReturnType<typeof createLocalJWKSet>): Promise<void> {
  const algorithms = [...ACCEPTED_ALGORITHMS];
  try {
    await compactVerify(token, keySet, { algorithms });
  } catch (error) {
    // A token without kid against a JWKS with several usable keys: try each (jose leaves that to the caller).
    if (!(error instanceof joseErrors.JWKSMultipleMatchingKeys)) throw error;
    const candidates = error as unknown as AsyncIterable<CryptoKey>;
    for await (const key of candidates) {
      try {
        await compactVerify(token, key, { algorithms });
        return;
      } catch {
        // next candidate
      }
    }
    throw new joseErrors.JWSSignatureVerificationFailed();
  }
}

function decodeToken(token: string): { header: CompactJWSHeaderParameters; payload: JWTPayload } | { problem: string } {
  if (token === "") return { problem: "the token is empty" };
  const parts = token.split(".");
  if (parts.length !== 3) {
    return {
      problem:
        parts.length === 5
          ? "an encrypted JWT (JWE), not a signed access token"
          : `not a JWT: ${parts.length} dot-separated part(s), expected 3`,
    };
  }
  let header: CompactJWSHeaderParameters;
  try {
    header = decodeProtectedHeader(token) as CompactJWSHeaderParameters;
  } catch {
    return { problem: "not a JWT: the header is not base64url-encoded JSON" };
  }
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    return { problem: "not a JWT: the payload is not base64url-encoded JSON claims" };
  }
  if (typeof header.alg !== "string") return { problem: "not a JWT: the header has no alg" };
  return { header, payload };
}

function expiryCheck(payload: JWTPayload, nowSeconds: number, margin: number): AuthorizerCheck {
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

function notBeforeCheck(payload: JWTPayload, nowSeconds: number): AuthorizerCheck {
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

function clientIdCheck(payload: JWTPayload, allowed: string[] | undefined): AuthorizerCheck {
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

function audienceCheck(payload: JWTPayload, allowed: string[] | undefined): AuthorizerCheck {
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

function scopeCheck(payload: JWTPayload, allowed: string[] | undefined): AuthorizerCheck {
  if (!allowed?.length) return { name: "scope", status: "skip", detail: "allowedScopes not configured" };
  const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter((s) => s !== "") : [];
  const match = scopes.find((s) => allowed.includes(s));
  if (match !== undefined) return { name: "scope", status: "pass", detail: `scope "${match}" is in allowedScopes` };
  return {
    name: "scope",
    status: "fail",
    detail:
      scopes.length === 0
        ? "the token has no scope claim"
        : `scopes [${scopes.join(", ")}] have none of allowedScopes [${allowed.join(", ")}]`,
    fix: "Request a token with one of the allowed scopes (Cognito InitiateAuth tokens only carry aws.cognito.signin.user.admin; custom scopes come from the OAuth2 token endpoint), or change allowedScopes.",
  };
}

function customClaimsCheck(payload: JWTPayload, rules: unknown[] | undefined): AuthorizerCheck {
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

/** One customClaims rule (aws-contracts 1.3): STRING + EQUALS, STRING_ARRAY + CONTAINS / CONTAINS_ANY. */
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

const UNAUTHORIZED_CHECKS: ReadonlySet<CheckName> = new Set(["format", "discovery", "signature", "issuer", "expiry", "notBefore"]);

/**
 * Turns the checks into the decision: the first failure in check order decides. Failures of the token
 * itself are 401 UnauthorizedException, an unreachable issuer 503, claims that are not allowed 403.
 */
function finish(checks: AuthorizerCheck[], claims: JWTPayload | undefined, options: { unreachable?: boolean } = {}): AuthorizerDecision {
  for (const name of ALL_CHECKS) {
    if (!checks.some((c) => c.name === name)) checks.push({ name, status: "skip", detail: "not checked: the token is unusable" });
  }
  const failure = checks.find((c) => c.status === "fail");
  if (!failure) return { allowed: true, claims: claims ?? {}, checks };
  const deny = (httpStatus: 401 | 403 | 503, errorType: AuthorizerErrorType, message: string): AuthorizerDecision => ({
    allowed: false,
    httpStatus,
    errorType,
    message,
    checks,
    claims,
  });
  if (options.unreachable && (failure.name === "discovery" || failure.name === "signature")) {
    return deny(503, "ServiceUnavailableException", `Unable to validate the bearer token: ${failure.detail}.`);
  }
  if (UNAUTHORIZED_CHECKS.has(failure.name)) return deny(401, "UnauthorizedException", unauthorizedMessage(failure));
  return deny(403, "AccessDeniedException", claimMismatchMessage(failure));
}

const ALL_CHECKS: CheckName[] = [
  "format",
  "discovery",
  "signature",
  "issuer",
  "expiry",
  "notBefore",
  "client_id",
  "aud",
  "scope",
  "customClaims",
];

function unauthorizedMessage(check: AuthorizerCheck): string {
  if (check.name === "expiry")
    return `Invalid bearer token: the token has expired or expires within ${EXPIRY_MARGIN_SECONDS} seconds (${check.detail}).`;
  if (check.name === "notBefore") return `Invalid bearer token: the token is not valid yet (${check.detail}).`;
  if (check.name === "discovery") return `Unable to validate the bearer token: ${check.detail}.`;
  return `Invalid bearer token: ${check.detail}.`;
}

/** The service's wording where it is known ("Claim 'client_id' mismatch", "Claim 'aud' value mismatch."). */
function claimMismatchMessage(check: AuthorizerCheck): string {
  switch (check.name) {
    case "client_id":
      return "Claim 'client_id' mismatch";
    case "aud":
      return "Claim 'aud' value mismatch.";
    case "scope":
      return "Claim 'scope' value mismatch.";
    default: {
      const claim = /claim "([^"]+)"/.exec(check.detail)?.[1];
      return claim ? `Claim '${claim}' value mismatch.` : "Custom claim validation failed.";
    }
  }
}
