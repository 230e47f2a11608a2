/**
 * Which bearer token an invoke sends: --bearer-token, else COGNITO_ACCESS_TOKEN, else the cached
 * token whose issuer and client match the agent's authorizer (refreshed first when it expires
 * within two minutes; AgentCore already rejects tokens that expire within about a minute).
 */

import type { CognitoConfig, CustomJwtAuthorizer } from "../config/schema.js";
import { AgentcoreError } from "../errors.js";

export type TokenSource = "flag" | "env" | "cache";

export interface BearerToken {
  token: string;
  source: TokenSource;
  expiresAt?: Date;
  /** The cached token was refreshed just now. */
  refreshed?: boolean;
}

/**
 * Where invoke gets a cached bearer token: the token cache (src/auth/tokens.ts) seen through the two
 * calls invoke makes, injectable for tests. Not the cache itself (src/auth/token-cache.ts's TokenCache).
 */
export interface CachedTokenSource {
  get(query: CachedTokenQuery): Promise<BearerToken>;
  forceRefresh(query: CachedTokenQuery): Promise<BearerToken>;
}

export interface CachedTokenQuery {
  env: NodeJS.ProcessEnv;
  /** The cached token must come from this authorizer's issuer and one of its allowedClients; undefined for --agent-arn. */
  authorizer?: CustomJwtAuthorizer;
  /** The project's `cognito` section: preferred among matching tokens. */
  cognito?: CognitoConfig;
  minValiditySeconds: number;
}

/** Refresh a cached token that expires within this many seconds before sending it. */
export const MIN_VALIDITY_SECONDS = 120;

/**
 * Where a token came from, said in every error about it: a stale COGNITO_ACCESS_TOKEN (often the copy
 * `cognito setup --write-token-to-env` put in .env, then sourced) silently wins over the cached token.
 */
export function tokenSourceLabel(source: TokenSource | "stdin", options: { sameAsDotenv?: boolean } = {}): string {
  switch (source) {
    case "flag":
      return "--bearer-token";
    case "stdin":
      return "--token-stdin";
    case "env":
      return `COGNITO_ACCESS_TOKEN in the environment${options.sameAsDotenv ? " (the same token as in .env, from --write-token-to-env)" : ""}, which is sent before the cached token: \`unset COGNITO_ACCESS_TOKEN\` to use the cache`;
    case "cache":
      return "the token cache (AGENTCORE_TS_HOME)";
  }
}

export function noTokenError(agentLabel: string, cause?: unknown): AgentcoreError {
  const why = cause instanceof Error ? ` ${cause.message}` : "";
  return new AgentcoreError(`${agentLabel} requires an OAuth bearer token and none is available, so nothing was sent.${why}`, {
    code: "NoBearerToken",
    hint:
      "Run `agentcore-ts cognito setup` (user pool, app client and a token) or `agentcore-ts token refresh` (renew the cached token), " +
      "or pass --bearer-token <access token> / set COGNITO_ACCESS_TOKEN. invoke never falls back to SigV4: the runtime would answer 403 Authorization method mismatch.",
    cause,
  });
}

export interface TokenChoiceInput {
  flagToken?: string;
  cache: CachedTokenSource;
  query: CachedTokenQuery;
}

export async function chooseBearerToken(input: TokenChoiceInput): Promise<BearerToken> {
  if (input.flagToken !== undefined) return { token: input.flagToken, source: "flag" };
  const fromEnv = input.query.env.COGNITO_ACCESS_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: "env" };
  return input.cache.get(input.query);
}
