/**
 * What an invoke failure means for this agent. The service's own error type and message are kept
 * (AwsServiceError); the hint says what to do, using what we know from .agentcore.json.
 */

import type { CustomJwtAuthorizer } from "../config/schema.js";
import { AgentcoreError, AwsServiceError } from "../errors.js";

export interface InvokeFailure {
  status?: number;
  /** x-amzn-ErrorType (bearer path) or the SDK error name (SigV4 path). */
  errorType: string;
  message: string;
}

export interface InvokeErrorContext {
  auth: "bearer" | "sigv4";
  arn: string;
  qualifier: string;
  /** The agent's authorizer from .agentcore.json: null = IAM agent, undefined = unknown (--agent-arn). */
  authorizer?: CustomJwtAuthorizer | null;
  agentName?: string;
  /** The runtime's region, for the `agentcore-ts logs` command in a 424 hint. */
  region?: string;
  /** Set for `invoke --local`. */
  local?: { logFile?: string };
  /** How many attempts were made (throttling retries). */
  attempts?: number;
  /** The token came from the cache and was already refreshed once for this call. */
  refreshedAfter401?: boolean;
  /** Where the bearer token came from: "env" means COGNITO_ACCESS_TOKEN chose the bearer path for an --agent-arn. */
  tokenSource?: "flag" | "env" | "cache";
  /** Where the token came from, in words (src/invoke/token.ts tokenSourceLabel): named in every 401/403 hint. */
  tokenLabel?: string;
  userId?: string;
  /**
   * This tool's own reading of the bearer token against the agent's authorizer, without the network
   * (src/auth/authorizer.ts explainOffline): the service's 401/403 names no reason beyond a claim.
   */
  tokenFinding?: string;
}

/** "my_agent-AbCdEf1234" from "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-AbCdEf1234". */
export function runtimeIdFromArn(arn: string): string {
  const slash = arn.lastIndexOf("/");
  return slash === -1 ? arn : arn.slice(slash + 1);
}

export function runtimeLogGroup(arn: string, qualifier = "DEFAULT"): string {
  return `/aws/bedrock-agentcore/runtimes/${runtimeIdFromArn(arn)}-${qualifier}`;
}

const CLAIM_FIELDS: Record<string, keyof CustomJwtAuthorizer> = {
  iss: "discoveryUrl",
  client_id: "allowedClients",
  aud: "allowedAudience",
  scope: "allowedScopes",
};

/**
 * The claim a refusal names (a Runtime answers 401 "Claim 'client_id' value mismatch with configuration.";
 * older reports quote 403 "Claim 'aud' value mismatch."), if any. Only a
 * quoted name counts: in "Custom claim validation failed." the word after "claim" is no claim name.
 */
export function mismatchedClaim(message: string): string | undefined {
  const quoted = /claim\s*(['"`])([^'"`\s]+)\1/i.exec(message);
  if (quoted) return quoted[2];
  const bare = /\b(client_id|aud|scope)\b/.exec(message);
  return bare?.[1];
}

/** A 403 about customClaims that names no claim ("Custom claim validation failed."). */
function isCustomClaimFailure(message: string): boolean {
  return /custom claim/i.test(message);
}

/** The customClaims rule for `claim`, else every rule: what the user compares the token with. */
function configuredCustomClaims(claim: string | undefined, authorizer: CustomJwtAuthorizer | null | undefined): unknown {
  const rules = authorizer?.customClaims;
  if (!rules?.length) return undefined;
  const named = rules.filter((rule) => (rule as { inboundTokenClaimName?: unknown } | null)?.inboundTokenClaimName === claim);
  return named.length ? named : rules;
}

export function isAuthMethodMismatch(message: string): boolean {
  return /authorization method mismatch|different authorization (method|token type)/i.test(message);
}

function agentLabel(context: InvokeErrorContext): string {
  return context.agentName ? `agent "${context.agentName}"` : "this agent";
}

/** Where to read the agent's own logs. */
export function logsHint(context: InvokeErrorContext): string {
  if (context.local) {
    return context.local.logFile
      ? `Read the local agent's log: ${context.local.logFile}`
      : "Read the local agent's log (`agentcore-ts status --local` shows where it is).";
  }
  const group = runtimeLogGroup(context.arn, context.qualifier);
  const agent = context.agentName ? ` --agent ${context.agentName}` : "";
  const region = context.region ? ` --region ${context.region}` : "";
  return `Read its logs: log group ${group}, e.g. \`agentcore-ts logs${agent} --since 1h${region}\``;
}

function staleRuntime(context: InvokeErrorContext): string {
  return context.local
    ? "the local runtime predates the config: restart `agentcore-ts launch --local`."
    : "the deployed runtime is out of date: run `agentcore-ts launch` to update it.";
}

function mismatchHint(context: InvokeErrorContext): string {
  const label = agentLabel(context);
  if (context.auth === "bearer") {
    const stale = context.authorizer ? ` .agentcore.json has a customJWTAuthorizer for it, so ${staleRuntime(context)}` : "";
    return `The runtime answered that ${label} expects SigV4 (IAM) requests, not an OAuth bearer token: invoke it without --bearer/--bearer-token${context.tokenSource === "env" ? " and with COGNITO_ACCESS_TOKEN unset (it selected the bearer path)" : ""}, with AWS credentials.${stale}`;
  }
  const stale = context.authorizer === null ? ` .agentcore.json has no customJWTAuthorizer for it, so ${staleRuntime(context)}` : "";
  return `The runtime answered that ${label} expects OAuth (a bearer JWT from its customJWTAuthorizer), not SigV4: pass --bearer-token <access token>, set COGNITO_ACCESS_TOKEN, or use --bearer with the cached token (\`agentcore-ts token refresh\`).${stale}`;
}

function claimHint(claim: string | undefined, context: InvokeErrorContext): string {
  const field = (claim && CLAIM_FIELDS[claim]) || "customClaims";
  const configured = field === "customClaims" ? configuredCustomClaims(claim, context.authorizer) : context.authorizer?.[field];
  const where = configured
    ? `${field} ${JSON.stringify(configured)} of ${agentLabel(context)}'s customJWTAuthorizer`
    : `the runtime's ${field}`;
  const cognito =
    claim === "aud"
      ? " Cognito access tokens carry no aud claim: authorize them with allowedClients (the app client id) instead of allowedAudience."
      : "";
  const what = claim ? `The token's "${claim}" claim does not match` : "The token's claims do not satisfy";
  if (claim === "iss") {
    return `The token's issuer (iss) is not the issuer behind ${where}: use a token from that issuer (iss must match exactly, a trailing slash included). Run \`agentcore-ts token verify\` to see every check.`;
  }
  return `${what} ${where}.${cognito} Run \`agentcore-ts token verify\` to see every check.`;
}

/** What this tool found wrong with the token itself (offline), as a sentence to lead a hint with. */
function tokenFinding(context: InvokeErrorContext): string {
  const found = context.auth === "bearer" ? context.tokenFinding : undefined;
  return found ? `The token: ${found} ` : "";
}

function hintFor(failure: InvokeFailure, context: InvokeErrorContext): string | undefined {
  const status = failure.status;
  const type = failure.errorType;
  if (status === 401 || type === "UnauthorizedException" || status === 403 || type === "AccessDeniedException") {
    if (isAuthMethodMismatch(failure.message)) return mismatchHint(context);
    if (context.auth === "bearer") {
      // A Runtime answers a claim that fails its authorizer with 401 naming the claim (docs/local-development.md).
      const claim = mismatchedClaim(failure.message);
      if (claim || isCustomClaimFailure(failure.message)) return `${tokenFinding(context)}${claimHint(claim, context)}`;
      if (/failed to parse token/i.test(failure.message)) {
        return `${tokenFinding(context)}The runtime could not parse the bearer token: send the access token itself (a JWT: three base64url parts separated by dots), without quotes or a "Bearer " prefix.`;
      }
    }
  }
  if (status === 401 || type === "UnauthorizedException") {
    const again = context.refreshedAfter401 ? " A freshly refreshed token was rejected too, so expiry is not the cause." : "";
    return `${tokenFinding(context)}The runtime refused the bearer token (expired, signed by another key or issuer, or a claim its authorizer does not allow).${again} Run \`agentcore-ts token verify\` to see which check fails, then \`agentcore-ts token refresh\`.`;
  }
  if (status === 403 || type === "AccessDeniedException") {
    if (context.auth === "bearer")
      return "Run `agentcore-ts token verify` to compare the token's claims with the agent's customJWTAuthorizer.";
    const forUser = context.userId ? " and bedrock-agentcore:InvokeAgentRuntimeForUser (for --user-id)" : "";
    return `Your AWS identity needs bedrock-agentcore:InvokeAgentRuntime${forUser} on ${context.arn}: check \`aws sts get-caller-identity\`, --profile and the IAM policy.`;
  }
  if (status === 404 || type === "ResourceNotFoundException") {
    if (context.local) return `The local gateway has no runtime ${context.arn}: check \`agentcore-ts status --local\` and --agent.`;
    return `Check the agent ARN (${context.arn}) and the qualifier (${context.qualifier}, an endpoint name): \`agentcore-ts status\` shows what is deployed and \`agentcore-ts launch\` deploys it.`;
  }
  if (status === 424 || type === "RuntimeClientError") {
    return `${agentLabel(context)[0].toUpperCase()}${agentLabel(context).slice(1)} itself failed (its container answered with an error or did not start). ${logsHint(context)}`;
  }
  if (status === 429 || /Throttl/i.test(type)) {
    const attempts = context.attempts ? ` after ${context.attempts} attempts with backoff` : " after retries with backoff";
    return `The service is throttling requests and still refused${attempts}: wait a moment and retry.`;
  }
  if (status === 400 || type === "ValidationException") {
    return "The service refused the request: check the payload, --qualifier and --session-id (33 to 256 characters).";
  }
  if (status === 409) return "Another request is using this session: retry in a moment, or pass --new-session.";
  if (context.local && (status === 503 || type === "ServiceUnavailableException")) {
    return "The local gateway could not fetch the token issuer's discovery document or keys (it never lets a request through unchecked): check that the issuer is up (`agentcore-ts cognito local status` for the embedded Cognito) and that the agent's discoveryUrl is right, then retry.";
  }
  if (status !== undefined && status >= 500) return "The service failed on its side: retry in a moment.";
  return undefined;
}

export function invokeError(failure: InvokeFailure, context: InvokeErrorContext, cause?: unknown): AgentcoreError {
  const action = failure.status ? `InvokeAgentRuntime (HTTP ${failure.status})` : "InvokeAgentRuntime";
  const hint = hintFor(failure, context);
  const refused = failure.status === 401 || failure.status === 403;
  const origin = context.auth === "bearer" && refused && context.tokenLabel ? ` The token sent came from ${context.tokenLabel}.` : "";
  return new AwsServiceError(action, failure.errorType, failure.message, {
    hint: hint || origin ? `${hint ?? ""}${origin}`.trim() : undefined,
    httpStatus: failure.status,
    cause,
    details: { httpStatus: failure.status, errorType: failure.errorType, agentRuntimeArn: context.arn, qualifier: context.qualifier },
  });
}

/** The agent sent `event: error` after it had started streaming (the HTTP status was already 200). */
export function streamError(message: string, context: InvokeErrorContext): AgentcoreError {
  return new AgentcoreError(`The agent failed while streaming its answer: ${message}`, {
    code: "AgentStreamError",
    hint: logsHint(context),
  });
}
