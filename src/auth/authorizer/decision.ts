/**
 * From the checks to the answer: the first failing check in check order decides the HTTP status,
 * the error type and the service-style message.
 */
import type { JWTPayload } from "jose";
import type { AuthorizerCheck, AuthorizerDecision, AuthorizerErrorType, CheckName } from "./types.js";

/**
 * Turns the checks into the decision: the first failure in check order decides, with the status, error
 * type and message AgentCore Runtime answers (docs/local-development.md lists each with its source):
 * a claim that is not allowed is 401 `Claim '<name>' value mismatch with configuration.` and a token that
 * cannot be parsed 403 `OAuth authorization failed: Failed to parse token` (both observed on real
 * runtimes); other token failures are 401, an unreachable issuer 503. The failing check's own finding
 * and fix go to `explanation`, never into the response.
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
    explanation: `${failure.name}: ${failure.detail}.${failure.fix ? ` ${failure.fix}` : ""}`,
    checks,
    claims,
  });
  if (options.unreachable && (failure.name === "discovery" || failure.name === "signature")) {
    return deny(503, "ServiceUnavailableException", "OAuth authorization failed: Unable to reach the token issuer");
  }
  if (failure.formatProblem === "parse") return deny(403, "AccessDeniedException", PARSE_FAILED);
  return deny(401, "UnauthorizedException", serviceMessage(failure));
}

const PARSE_FAILED = "OAuth authorization failed: Failed to parse token";
const SIGNATURE_FAILED = "OAuth authorization failed: Token signature verification failed";

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

/** The claim-mismatch wording observed on real runtimes, for `claim`. */
export function claimMismatch(claim: string): string {
  return `Claim '${claim}' value mismatch with configuration.`;
}

/** The response's message for a 401: the service's text where it is known, chosen in its style where not. */
function serviceMessage(check: AuthorizerCheck): string {
  switch (check.name) {
    case "format":
      return check.formatProblem === "algorithm" ? SIGNATURE_FAILED : PARSE_FAILED;
    case "discovery":
      return "OAuth authorization failed: Unable to validate token";
    case "signature":
      return SIGNATURE_FAILED;
    case "expiry":
      return "OAuth authorization failed: Token has expired";
    case "notBefore":
      return "OAuth authorization failed: Token is not yet valid";
    case "issuer":
    case "client_id":
    case "aud":
    case "scope":
      return claimMismatch(check.name === "issuer" ? "iss" : check.name);
    case "customClaims": {
      const claim = /claim "([^"]+)"/.exec(check.detail)?.[1] ?? /rule for "([^"]+)"/.exec(check.detail)?.[1];
      return claim ? claimMismatch(claim) : "OAuth authorization failed: Custom claim validation failed";
    }
  }
}
