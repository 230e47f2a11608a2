/**
 * From the checks to the answer: the first failing check in check order decides the HTTP status,
 * the error type and the service-style message.
 */
import type { JWTPayload } from "jose";
import { EXPIRY_MARGIN_SECONDS } from "./claims.js";
import type { AuthorizerCheck, AuthorizerDecision, AuthorizerErrorType, CheckName } from "./types.js";

const UNAUTHORIZED_CHECKS: ReadonlySet<CheckName> = new Set(["format", "discovery", "signature", "issuer", "expiry", "notBefore"]);

/**
 * Turns the checks into the decision: the first failure in check order decides. Failures of the token
 * itself are 401 UnauthorizedException, an unreachable issuer 503, claims that are not allowed 403.
 */
export function finish(
  checks: AuthorizerCheck[],
  claims: JWTPayload | undefined,
  options: { unreachable?: boolean } = {},
): AuthorizerDecision {
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
