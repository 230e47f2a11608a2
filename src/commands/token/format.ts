/** Claims summaries for the `token` commands (never a token). */
import type { JWTPayload } from "jose";

/** The claims a user checks against an authorizer, in a stable order; undefined ones left out. */
export function summaryClaims(claims: JWTPayload): Record<string, unknown> {
  const keys = ["iss", "client_id", "aud", "token_use", "scope", "username", "sub", "iat", "nbf", "exp"];
  const summary: Record<string, unknown> = {};
  for (const key of keys) if (claims[key] !== undefined) summary[key] = claims[key];
  return summary;
}
