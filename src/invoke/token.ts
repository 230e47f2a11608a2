/**
 * Which bearer token an invoke sends: --bearer-token, else COGNITO_ACCESS_TOKEN, else the cached
 * token whose issuer and client match the agent's authorizer (refreshed first when it expires
 * within two minutes; AgentCore already rejects tokens that expire within about a minute).
 */
import { AgentcoreError } from "../errors.js";
import type { CustomJwtAuthorizer } from "../config/schema.js";

export type TokenSource = "flag" | "env" | "cache";

export interface BearerToken {
  token: string;
  source: TokenSource;
  expiresAt?: Date;
  /** The cached token was refreshed just now. */
  refreshed?: boolean;
}

/** What the invoke needs from the token cache (src/auth/tokens.ts), injectable for tests. */
export interface TokenCache {
  get(query: CachedTokenQuery): Promise<BearerToken>;
  forceRefresh(query: CachedTokenQuery): Promise<BearerToken>;
}

export interface CachedTokenQuery {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** From the agent's discoveryUrl; undefined for --agent-arn without a config. */
  issuer?: string;
  /** The agent's allowedClients (the cached token's client must be one of them). */
  allowedClients?: string[];
  minValiditySeconds: number;
}

/** Refresh a cached token that expires within this many seconds before sending it. */
export const MIN_VALIDITY_SECONDS = 120;

export function issuerFromDiscoveryUrl(discoveryUrl: string): string {
  return discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, "");
}

export function noTokenError(agentLabel: string, cause?: unknown): AgentcoreError {
  return new AgentcoreError(`${agentLabel} requires an OAuth bearer token (its customJWTAuthorizer) and none is available; nothing was sent.`, {
    code: "NoBearerToken",
    hint:
      "Run `agentcore-ts cognito setup` (user pool, app client and a token) or `agentcore-ts token refresh` (renew the cached token), " +
      "or pass --bearer-token <access token> / set COGNITO_ACCESS_TOKEN. invoke never falls back to SigV4: the runtime would answer 403 Authorization method mismatch.",
    cause,
  });
}

export interface TokenChoiceInput {
  flagToken?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  authorizer?: CustomJwtAuthorizer;
  cache: TokenCache;
}

/** The cache lookup for an agent's authorizer (undefined: any cached token, for --agent-arn). */
export function cacheQuery(env: NodeJS.ProcessEnv, cwd: string, authorizer: CustomJwtAuthorizer | undefined): CachedTokenQuery {
  return {
    env,
    cwd,
    issuer: authorizer ? issuerFromDiscoveryUrl(authorizer.discoveryUrl) : undefined,
    allowedClients: authorizer?.allowedClients,
    minValiditySeconds: MIN_VALIDITY_SECONDS,
  };
}

export async function chooseBearerToken(input: TokenChoiceInput): Promise<BearerToken> {
  if (input.flagToken !== undefined) return { token: input.flagToken, source: "flag" };
  const fromEnv = input.env.COGNITO_ACCESS_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: "env" };
  return input.cache.get(cacheQuery(input.env, input.cwd, input.authorizer));
}
