/**
 * THE JWT authorizer: validates a bearer token the way AgentCore Runtime's customJWTAuthorizer
 * does. One module, shared by `token verify` (which prints every check) and the local gateway
 * (which turns the decision into 401/403 responses). Built on jose; no hand-written crypto.
 *
 * INTERFACE STUB: implemented by the local-runtime work (issue 4). Signatures are the contract.
 */
import type { JWTPayload } from "jose";
import type { CustomJwtAuthorizer } from "../config/schema.js";

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
}

export class JwtAuthorizer {
  constructor(
    readonly config: CustomJwtAuthorizer,
    readonly options: JwtAuthorizerOptions = {},
  ) {}

  /** Validates `token` (without the "Bearer " prefix). Never throws for a bad token or a down issuer. */
  async authorize(_token: string): Promise<AuthorizerDecision> {
    throw new Error("JwtAuthorizer.authorize is not implemented yet");
  }
}
