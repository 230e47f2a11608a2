/**
 * THE JWT authorizer: validates a bearer token the way AgentCore Runtime's customJWTAuthorizer
 * does. One module, shared by `token verify` (which prints every check) and the local gateway
 * (which turns the decision into 401/403 responses). Built on jose; no hand-written crypto.
 *
 * What it does, in order (the checks of CustomJWTAuthorizerConfiguration,
 * https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CustomJWTAuthorizerConfiguration.html,
 * and https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-oauth.html):
 *   format -> discovery (issuer + jwks_uri, cached) -> signature (JWKS by kid, asymmetric algorithms
 *   only; an unknown kid refetches the JWKS, rate-limited) -> iss == discovery issuer -> exp/nbf ->
 *   allowedClients (client_id) -> allowedAudience (aud) -> allowedScopes (scope) -> customClaims.
 * Every check is reported (pass/fail/skip), so `token verify` can say what is wrong and how to fix it;
 * the first failing check decides the HTTP answer. It never throws for a bad token or a down issuer:
 * it fails closed (401/503) and never accepts what it could not verify.
 *
 * This file is the entry point; its parts are in src/auth/authorizer/: types.ts (checks, decision,
 * options), token.ts (format), issuer-keys.ts (discovery + JWKS caching, signature), claims.ts (iss,
 * exp, nbf and the allow lists) and decision.ts (the HTTP answer).
 */
import { createHash } from "node:crypto";
import type { CompactJWSHeaderParameters, JWTPayload } from "jose";
import type { CustomJwtAuthorizer } from "../config/schema.js";
import {
  audienceCheck,
  clientIdCheck,
  customClaimsCheck,
  EXPIRY_MARGIN_SECONDS,
  expiryCheck,
  issuerCheck,
  notBeforeCheck,
  scopeCheck,
} from "./authorizer/claims.js";
import { finish } from "./authorizer/decision.js";
import { IssuerFetchError, IssuerKeys } from "./authorizer/issuer-keys.js";
import { formatCheck } from "./authorizer/token.js";
import type { AuthorizerCheck, AuthorizerDecision, JwtAuthorizerOptions } from "./authorizer/types.js";
import type { DiscoveryDocument } from "./discovery.js";

export { EXPIRY_MARGIN_SECONDS, evaluateCustomClaim } from "./authorizer/claims.js";
export { ACCEPTED_ALGORITHMS } from "./authorizer/token.js";
export type { AuthorizerCheck, AuthorizerDecision, AuthorizerErrorType, CheckName, JwtAuthorizerOptions } from "./authorizer/types.js";
export type { DiscoveryDocument } from "./discovery.js";

const DEFAULT_VERIFIED_CACHE_SIZE = 1_000;

/**
 * What can be told about `token` against `config` without the network (no signature, no issuer): the
 * first failing check among format, expiry, not-before and the allow lists, as "<detail>. <fix>", or
 * undefined when none fails. For hints after the service refused a token (its answer names no reason).
 */
export function explainOffline(token: string, config: CustomJwtAuthorizer, nowMs = Date.now()): string | undefined {
  const format = formatCheck(token.trim());
  const nowSeconds = nowMs / 1000;
  const payload = format.payload;
  const checks: AuthorizerCheck[] = [format.check];
  if (payload) {
    checks.push(
      expiryCheck(payload, nowSeconds, EXPIRY_MARGIN_SECONDS),
      notBeforeCheck(payload, nowSeconds),
      clientIdCheck(payload, config.allowedClients),
      audienceCheck(payload, config.allowedAudience),
      scopeCheck(payload, config.allowedScopes),
      customClaimsCheck(payload, config.customClaims),
    );
  }
  const failed = checks.find((c) => c.status === "fail");
  return failed ? `${failed.detail}.${failed.fix ? ` ${failed.fix}` : ""}` : undefined;
}

interface VerifiedEntry {
  payload: JWTPayload;
  /** Seconds since epoch after which the entry is useless (the token's exp). */
  exp: number;
  kid?: string;
  alg: string;
}

export class JwtAuthorizer {
  private readonly issuer: IssuerKeys;
  private readonly verified = new Map<string, VerifiedEntry>();
  private readonly now: () => number;

  constructor(
    readonly config: CustomJwtAuthorizer,
    readonly options: JwtAuthorizerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.issuer = new IssuerKeys(config.discoveryUrl, options, this.now, () => this.verified.clear());
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
    await this.issuer.ensureJwks(doc.jwks_uri, false);
    return doc;
  }

  /** The discovery document (cached); throws an Error with a readable message when it cannot be fetched. */
  discover(): Promise<DiscoveryDocument> {
    return this.issuer.discover();
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
      const format = formatCheck(token);
      checks.push(format.check);
      if (!format.header || !format.payload) return finish(checks, format.payload);
      ({ header, payload } = format as { header: CompactJWSHeaderParameters; payload: JWTPayload });
    }

    // 2. discovery
    let doc: DiscoveryDocument | undefined;
    let discoveryFailure: IssuerFetchError | undefined;
    try {
      doc = await this.discover();
      checks.push({ name: "discovery", status: "pass", detail: `issuer ${doc.issuer}, jwks_uri ${doc.jwks_uri}` });
    } catch (error) {
      discoveryFailure = IssuerFetchError.from(error);
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
      const verdict = await this.issuer.verifySignature(token, header, doc.jwks_uri);
      checks.push(verdict.check);
      if (verdict.check.status === "pass" && cacheKey && typeof payload.exp === "number") {
        this.remember(cacheKey, { payload, exp: payload.exp, kid: header.kid, alg: String(header.alg) });
      }
      if (verdict.unreachable) discoveryFailure = verdict.unreachable;
    }

    // 4. issuer
    checks.push(issuerCheck(payload, doc));

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
