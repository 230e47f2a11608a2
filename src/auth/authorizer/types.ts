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
  /**
   * format only, on failure: "syntax" (not three non-empty base64url segments), "parse" (such segments that
   * do not decode to a JWT: the service answers 403 for those), "algorithm" (an algorithm never accepted).
   */
  formatProblem?: "syntax" | "parse" | "algorithm";
}

export type AuthorizerErrorType = "UnauthorizedException" | "AccessDeniedException" | "ServiceUnavailableException";

export type AuthorizerDecision =
  | { allowed: true; claims: JWTPayload; checks: AuthorizerCheck[] }
  | {
      allowed: false;
      /**
       * As AgentCore Runtime answers (docs/local-development.md, the auth matrix): 401 for a bad token and
       * for a claim that is not allowed, 403 for a token that cannot be parsed, 503 when the issuer is unreachable.
       */
      httpStatus: 401 | 403 | 503;
      errorType: AuthorizerErrorType;
      /** The service's message for the response body (no explanation of this tool's: that is `checks`). */
      message: string;
      /** This tool's explanation: the failing check's finding and its fix (for logs and hints, not the response). */
      explanation: string;
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
