/** The JWT authorizer's vocabulary: its checks, its decision and its options (src/auth/authorizer.ts is the entry point). */
import type { JWTPayload } from "jose";

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
