/**
 * OAuth tokens in the token cache: the entry for a flow's result (keyed by issuer, client and
 * subject), the cached token a `token get` can reuse, and renewal of an OAuth entry for `invoke`,
 * `token refresh` and `token get` alike: the refresh_token grant where there is a refresh token,
 * else (client credentials) a new token with the client secret from its sources
 * (src/auth/client-secret.ts). A pool in the embedded Cognito is started while it is needed.
 */
import type { AwsClients } from "../aws/clients.js";
import { ensureEmbeddedCognito, isEmbeddedCognitoUrl } from "../embedded-cognito/control.js";
import { AgentcoreError } from "../errors.js";
import { cognitoClientSecret, findClientSecret } from "./client-secret.js";
import { clientCredentialsToken, type OAuthFlow, type OAuthTokens, refreshTokens, type TokenRequestOptions } from "./oauth.js";
import { type CachedTokens, TokenCache } from "./token-cache.js";
import { issuerFromDiscoveryUrl, poolIdFromDiscoveryUrl } from "./tokens.js";

export interface OAuthTarget extends TokenRequestOptions {
  discoveryUrl: string;
  clientId: string;
  flow: OAuthFlow;
}

/** Where a discovery URL's tokens live: the Cognito pool id (else the issuer URL), its region, and whether it is the embedded Cognito. */
export function issuerKey(
  discoveryUrl: string,
  env: NodeJS.ProcessEnv,
  localRegion?: string,
): { userPoolId: string; region: string; local: boolean } {
  const issuer = issuerFromDiscoveryUrl(discoveryUrl);
  const poolId = poolIdFromDiscoveryUrl(discoveryUrl);
  const local = isEmbeddedCognitoUrl(discoveryUrl, env);
  const awsRegion = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\//.exec(issuer)?.[1];
  return { userPoolId: poolId ?? issuer, region: awsRegion ?? (local ? (localRegion ?? "us-east-1") : ""), local };
}

export function oauthCacheEntry(
  target: OAuthTarget,
  tokens: OAuthTokens,
  env: NodeJS.ProcessEnv,
  previous?: CachedTokens,
  now = new Date(),
): CachedTokens {
  const where = issuerKey(target.discoveryUrl, env, previous?.region || undefined);
  const refreshToken = tokens.refreshToken ?? previous?.refreshToken;
  return {
    ...where,
    clientId: target.clientId,
    username: tokens.subject,
    issuer: tokens.issuer || previous?.issuer || issuerFromDiscoveryUrl(target.discoveryUrl),
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
    ...(tokens.idToken ? { idToken: tokens.idToken, idTokenExpiresAt: tokens.idTokenExpiresAt?.toISOString() } : {}),
    ...(refreshToken ? { refreshToken } : {}),
    ...(tokens.refreshToken
      ? { refreshTokenIssuedAt: now.toISOString() }
      : previous?.refreshTokenIssuedAt
        ? { refreshTokenIssuedAt: previous.refreshTokenIssuedAt }
        : {}),
    updatedAt: now.toISOString(),
    flow: target.flow,
    discoveryUrl: target.discoveryUrl,
    ...(target.scope ? { scope: target.scope } : {}),
    ...(target.resource ? { resource: target.resource } : {}),
    ...(target.audience ? { audience: target.audience } : {}),
  };
}

/** The freshest cached entry of this issuer, client, flow and scope (any subject). */
export function findOAuthEntry(entries: CachedTokens[], target: OAuthTarget): CachedTokens | undefined {
  return entries
    .filter(
      (e) =>
        e.flow === target.flow &&
        e.clientId === target.clientId &&
        e.discoveryUrl === target.discoveryUrl &&
        (e.scope ?? "") === (target.scope ?? "") &&
        (e.resource ?? "") === (target.resource ?? "") &&
        (e.audience ?? "") === (target.audience ?? ""),
    )
    .sort((a, b) => Date.parse(b.accessTokenExpiresAt) - Date.parse(a.accessTokenExpiresAt))[0];
}

export function targetOf(entry: CachedTokens): OAuthTarget {
  if (!entry.flow || !entry.discoveryUrl) throw new Error("not an OAuth cache entry");
  return {
    discoveryUrl: entry.discoveryUrl,
    clientId: entry.clientId,
    flow: entry.flow,
    ...(entry.scope ? { scope: entry.scope } : {}),
    ...(entry.resource ? { resource: entry.resource } : {}),
    ...(entry.audience ? { audience: entry.audience } : {}),
  };
}

/** Runs `work` with the embedded Cognito up when the discovery URL is one of its pools. */
export async function withIssuer<T>(discoveryUrl: string, env: NodeJS.ProcessEnv, work: () => Promise<T>): Promise<T> {
  const embedded = isEmbeddedCognitoUrl(discoveryUrl, env) ? await ensureEmbeddedCognito(env) : undefined;
  try {
    return await work();
  } finally {
    await embedded?.stop();
  }
}

export interface ClientSecretOptions {
  env: NodeJS.ProcessEnv;
  /** For a Cognito pool: read the secret from the service when no other source has it. */
  aws?: AwsClients;
  /** Already known (e.g. just read from --client-secret-stdin). */
  secret?: string;
}

/** The client secret for a target from its sources (never stored here); undefined when none has it. */
export async function clientSecretFor(target: OAuthTarget, options: ClientSecretOptions) {
  if (options.secret !== undefined) return { secret: options.secret, source: "stdin" as const };
  const where = issuerKey(target.discoveryUrl, options.env);
  const isPool = where.userPoolId !== issuerFromDiscoveryUrl(target.discoveryUrl);
  const aws = options.aws;
  return findClientSecret({
    env: options.env,
    issuer: issuerFromDiscoveryUrl(target.discoveryUrl),
    clientId: target.clientId,
    ...(isPool && aws
      ? {
          cognito: () =>
            cognitoClientSecret(
              aws,
              { userPoolId: where.userPoolId, clientId: target.clientId, region: where.region, local: where.local },
              options.env,
            ),
        }
      : {}),
  });
}

export type OAuthRenewMethod = "refresh_token" | "client_credentials";

/** New tokens for an OAuth entry: its refresh token, else (client credentials) a new token. Stores them. */
export async function renewOAuthEntry(
  entry: CachedTokens,
  options: ClientSecretOptions & { cache?: TokenCache },
): Promise<{ entry: CachedTokens; method: OAuthRenewMethod }> {
  const cache = options.cache ?? new TokenCache(options.env);
  const target = targetOf(entry);
  const result = await withIssuer(target.discoveryUrl, options.env, async () => {
    if (entry.refreshToken) {
      const known =
        target.flow === "client_credentials"
          ? await clientSecretFor(target, options)
          : await clientSecretFor(target, { env: options.env, secret: options.secret });
      try {
        const tokens = await refreshTokens(
          { discoveryUrl: target.discoveryUrl, clientId: target.clientId, clientSecret: known?.secret },
          entry.refreshToken,
          target,
        );
        return { tokens, method: "refresh_token" as const };
      } catch (error) {
        if (!(error instanceof AgentcoreError && error.code === "RefreshTokenRejected") || target.flow !== "client_credentials")
          throw error;
      }
    }
    if (target.flow !== "client_credentials") {
      throw new AgentcoreError(
        `The ${target.flow.replace("_", " ")} token of "${entry.username}" cannot be renewed: the issuer gave no refresh token.`,
        {
          code: "NoAccessToken",
          hint: `Sign in again: \`agentcore-ts token get --flow ${target.flow.replace("_", "-")}\`.`,
        },
      );
    }
    const found = await clientSecretFor(target, options);
    if (!found) throw secretRequired(target);
    const tokens = await clientCredentialsToken(
      { discoveryUrl: target.discoveryUrl, clientId: target.clientId, clientSecret: found.secret },
      target,
    );
    return { tokens, method: "client_credentials" as const };
  });
  const renewed = oauthCacheEntry(target, result.tokens, options.env, entry);
  if (renewed.username !== entry.username)
    await cache.remove(
      (e) => e === entry || (e.userPoolId === entry.userPoolId && e.clientId === entry.clientId && e.username === entry.username),
    );
  await cache.put(renewed);
  return { entry: renewed, method: result.method };
}

export function secretRequired(target: OAuthTarget): AgentcoreError {
  return new AgentcoreError(`A client-credentials token for client ${target.clientId} needs its client secret, and none was found.`, {
    code: "ClientSecretRequired",
    hint: "Pipe it in with --client-secret-stdin (add --save-client-secret to keep it in a 0600 file under AGENTCORE_TS_HOME), or set AGENTCORE_TS_CLIENT_SECRET.",
  });
}
