/**
 * Token acquisition for every command that sends a bearer token (invoke, the local runtime,
 * quickstart): find the cached token that an agent's authorizer would accept, refresh it when it
 * is about to expire (REFRESH_TOKEN_AUTH, else a password login with COGNITO_PASSWORD), and keep
 * the cache up to date. The embedded Cognito is started for a local pool and stopped afterwards.
 */
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { JWTPayload } from "jose";
import type { AwsClients } from "../aws/clients.js";
import type { CognitoConfig, CustomJwtAuthorizer } from "../config/schema.js";
import { AgentcoreError } from "../errors.js";
import type { Output } from "../ui/output.js";
import {
  decodeClaims,
  loginWithPassword,
  PASSWORD_ENV,
  RefreshTokenRejectedError,
  refreshWithToken,
  type TokenSet,
  withCognito,
} from "./cognito.js";
import { type CachedTokens, TokenCache, type TokenKey } from "./token-cache.js";

export const DISCOVERY_SUFFIX = "/.well-known/openid-configuration";
/** What callers pass as minValiditySeconds: AgentCore rejects tokens that expire within about a minute. */
export const DEFAULT_MIN_VALIDITY_SECONDS = 120;

/** The issuer a discovery URL belongs to (the URL without /.well-known/openid-configuration). */
export function issuerFromDiscoveryUrl(discoveryUrl: string): string {
  return discoveryUrl.endsWith(DISCOVERY_SUFFIX) ? discoveryUrl.slice(0, -DISCOVERY_SUFFIX.length) : discoveryUrl;
}

/** The Cognito user pool id in a discovery URL (…/{region}_{id}/.well-known/openid-configuration), if it has one. */
export function poolIdFromDiscoveryUrl(discoveryUrl: string): string | undefined {
  const last = issuerFromDiscoveryUrl(discoveryUrl).split("/").pop() ?? "";
  return /^[\w-]+_[0-9a-zA-Z]+$/.test(last) ? last : undefined;
}

export interface TokenTarget {
  /** The agent's customJWTAuthorizer: the token must come from its discovery URL's pool and one of its allowedClients. */
  authorizer?: CustomJwtAuthorizer | null;
  /** The project's `cognito` section: preferred among matches, and the target when there is no authorizer. */
  cognito?: CognitoConfig;
}

function describeTarget(target: TokenTarget): string {
  if (target.authorizer) {
    const clients = target.authorizer.allowedClients?.length ? `, allowedClients ${target.authorizer.allowedClients.join(", ")}` : "";
    return `issuer ${issuerFromDiscoveryUrl(target.authorizer.discoveryUrl)}${clients}`;
  }
  if (target.cognito) return `user "${target.cognito.username}" of pool ${target.cognito.userPoolId}`;
  return "any user pool";
}

/** True when tokens of this pool and client fit the authorizer: same issuer (or pool id) and, when set, an allowed client. */
export function fitsAuthorizer(
  candidate: { userPoolId: string; clientId: string; issuer?: string },
  authorizer: CustomJwtAuthorizer,
): boolean {
  const issuer = issuerFromDiscoveryUrl(authorizer.discoveryUrl);
  const poolId = poolIdFromDiscoveryUrl(authorizer.discoveryUrl);
  const clients = authorizer.allowedClients;
  const samePool = candidate.issuer === issuer || (poolId !== undefined && candidate.userPoolId === poolId);
  return samePool && (!clients?.length || clients.includes(candidate.clientId));
}

/** The cached tokens that fit `target` (best first: the project's user, then the longest-lived). */
export function matchCachedTokens(entries: CachedTokens[], target: TokenTarget): CachedTokens[] {
  let candidates: CachedTokens[];
  if (target.authorizer) {
    const authorizer = target.authorizer;
    candidates = entries.filter((e) => fitsAuthorizer(e, authorizer));
  } else if (target.cognito) {
    const c = target.cognito;
    candidates = entries.filter((e) => e.userPoolId === c.userPoolId && e.clientId === c.clientId);
  } else {
    candidates = entries;
  }
  const preferred = (e: CachedTokens) =>
    target.cognito &&
    e.userPoolId === target.cognito.userPoolId &&
    e.clientId === target.cognito.clientId &&
    e.username === target.cognito.username
      ? 1
      : 0;
  // An authorizer with allowedScopes accepts only tokens carrying one of them (M2M tokens, for Cognito): those come first.
  const scopes = target.authorizer?.allowedScopes;
  const hasScope = (e: CachedTokens) => {
    if (!scopes?.length) return 0;
    const granted = String(decodeClaims(e.accessToken).scope ?? "").split(" ");
    return scopes.some((s) => granted.includes(s)) ? 1 : 0;
  };
  return [...candidates].sort(
    (a, b) =>
      hasScope(b) - hasScope(a) || preferred(b) - preferred(a) || Date.parse(b.accessTokenExpiresAt) - Date.parse(a.accessTokenExpiresAt),
  );
}

/** A cache entry from a login or refresh; a refresh keeps the previous refresh token. */
export function cacheEntryFrom(
  key: TokenKey & { region: string; local: boolean },
  tokens: TokenSet,
  previous?: CachedTokens,
  now = new Date(),
): CachedTokens {
  const refreshToken = tokens.refreshToken ?? previous?.refreshToken;
  const refreshTokenIssuedAt = tokens.refreshToken ? now.toISOString() : previous?.refreshTokenIssuedAt;
  return {
    userPoolId: key.userPoolId,
    clientId: key.clientId,
    username: key.username,
    region: key.region,
    local: key.local,
    issuer: tokens.issuer || previous?.issuer || "",
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
    ...(tokens.idToken ? { idToken: tokens.idToken, idTokenExpiresAt: tokens.idTokenExpiresAt?.toISOString() } : {}),
    ...(refreshToken ? { refreshToken } : {}),
    ...(refreshTokenIssuedAt ? { refreshTokenIssuedAt } : {}),
    updatedAt: now.toISOString(),
  };
}

/** How tokens were renewed: a Cognito refresh or password login, or (OAuth entries) a new client-credentials token. */
export type RenewMethod = "refresh_token" | "password" | "client_credentials";

export interface RenewOptions {
  /** Pool, client, user and where the pool lives. */
  key: TokenKey & { region: string; local: boolean };
  /** The cached entry (its refresh token is tried first). */
  previous?: CachedTokens;
  /** An open Cognito client for the pool; else one is opened (and the embedded Cognito started) from `aws`. */
  client?: CognitoIdentityProviderClient;
  aws?: AwsClients;
  env: NodeJS.ProcessEnv;
  /** Asked only when there is no usable refresh token; undefined = no password available. */
  password?: () => Promise<string | undefined>;
  /** Says why a password login is needed (e.g. "the refresh token was refused"). */
  onFallback?: (reason: string) => void;
  cache?: TokenCache;
}

export interface RenewResult {
  entry: CachedTokens;
  method: RenewMethod;
}

/**
 * New tokens for a user: REFRESH_TOKEN_AUTH with the cached refresh token; when it is missing or
 * refused, USER_PASSWORD_AUTH with the password. Stores the result in the cache. The old entry is
 * kept when everything fails.
 */
export async function renewTokens(options: RenewOptions): Promise<RenewResult> {
  const cache = options.cache ?? new TokenCache(options.env);
  const { key, previous } = options;
  const work = async (client: CognitoIdentityProviderClient) => {
    let fallbackReason = "no refresh token is cached";
    if (previous?.refreshToken) {
      try {
        const tokens = await refreshWithToken(client, { clientId: key.clientId, refreshToken: previous.refreshToken });
        return { tokens, method: "refresh_token" as const };
      } catch (error) {
        if (!(error instanceof RefreshTokenRejectedError)) throw error;
        fallbackReason = "Cognito refused the cached refresh token (expired or revoked)";
        if (!options.password) throw error;
      }
    }
    const password = options.password ? await options.password() : undefined;
    if (password === undefined) {
      throw new AgentcoreError(`Cannot log in as "${key.username}": ${fallbackReason}, and no password was given.`, {
        code: "PasswordRequired",
        hint: `Pass the password: \`agentcore-ts token refresh --password-stdin\` or ${PASSWORD_ENV}=… agentcore-ts token refresh.`,
      });
    }
    options.onFallback?.(fallbackReason);
    const tokens = await loginWithPassword(client, { clientId: key.clientId, username: key.username, password });
    return { tokens, method: "password" as const };
  };
  let result: Awaited<ReturnType<typeof work>>;
  if (options.client) {
    result = await work(options.client);
  } else {
    if (!options.aws) throw new Error("renewTokens needs a client or an AWS client factory");
    result = await withCognito(options.aws, key, options.env, ({ client }) => work(client));
  }
  const entry = cacheEntryFrom(key, result.tokens, result.method === "refresh_token" ? previous : undefined);
  await cache.put(entry);
  return { entry, method: result.method };
}

export interface GetAccessTokenOptions extends TokenTarget {
  env: NodeJS.ProcessEnv;
  /**
   * The AWS client factory (ctx.aws()), or a function that makes it: it is needed only to renew a token, so a
   * valid cached token is returned without resolving a region or loading a client. Cognito calls use each
   * cache entry's own region.
   */
  aws: AwsClients | (() => Promise<AwsClients>);
  /** Refresh when the token expires within this many seconds (callers pass 120). */
  minValiditySeconds?: number;
  /** For debug lines (never tokens). */
  output?: Output;
}

export interface AccessToken {
  accessToken: string;
  expiresAt: Date;
  claims: JWTPayload;
  /** True when this call refreshed (or re-logged in) to get it. */
  refreshed: boolean;
  /** The cache entry it came from (holds tokens: never print it). */
  entry: CachedTokens;
}

function noTokenError(target: TokenTarget, why: string): AgentcoreError {
  return new AgentcoreError(`No usable access token for ${describeTarget(target)}: ${why}.`, {
    code: "NoAccessToken",
    hint: "Run `agentcore-ts cognito setup` (or `agentcore-ts token refresh` to log in again), or pass a token with --bearer-token.",
  });
}

function toAccessToken(entry: CachedTokens, refreshed: boolean): AccessToken {
  return {
    accessToken: entry.accessToken,
    expiresAt: new Date(entry.accessTokenExpiresAt),
    claims: decodeClaims(entry.accessToken),
    refreshed,
    entry,
  };
}

async function acquire(options: GetAccessTokenOptions, force: boolean): Promise<AccessToken> {
  const cache = new TokenCache(options.env);
  const [entry] = matchCachedTokens(await cache.entries(), options);
  if (!entry) throw noTokenError(options, "nothing matching is in the token cache");
  const minValidity = (options.minValiditySeconds ?? DEFAULT_MIN_VALIDITY_SECONDS) * 1000;
  const remaining = Date.parse(entry.accessTokenExpiresAt) - Date.now();
  if (!force && remaining > minValidity) {
    options.output?.debug(`Using the cached access token of "${entry.username}" (valid for ${Math.round(remaining / 1000)}s more).`);
    return toAccessToken(entry, false);
  }
  options.output?.debug(
    force
      ? `Refreshing the access token of "${entry.username}".`
      : `The cached access token of "${entry.username}" expires in ${Math.round(remaining / 1000)}s: refreshing it.`,
  );
  const aws = typeof options.aws === "function" ? await options.aws() : options.aws;
  if (entry.flow) {
    // An OAuth entry (token get): the refresh_token grant, or a new client-credentials token.
    const { renewOAuthEntry } = await import("./oauth-tokens.js");
    const { entry: renewed } = await renewOAuthEntry(entry, { env: options.env, aws, cache });
    return toAccessToken(renewed, true);
  }
  const envPassword = options.env[PASSWORD_ENV];
  try {
    const { entry: renewed } = await renewTokens({
      key: entry,
      previous: entry,
      aws,
      env: options.env,
      password: envPassword ? async () => envPassword : undefined,
      cache,
    });
    return toAccessToken(renewed, true);
  } catch (error) {
    if (error instanceof AgentcoreError && (error.code === "RefreshTokenRejected" || error.code === "PasswordRequired")) {
      throw noTokenError(options, `${error.message.replace(/\.$/, "")}; set ${PASSWORD_ENV} to log in again without a prompt`);
    }
    throw error;
  }
}

/**
 * The access token for an agent's authorizer (or the project's Cognito user), refreshed when it
 * expires within `minValiditySeconds`. Throws NoAccessToken naming `cognito setup`, `token refresh`
 * and `--bearer-token` when none can be had.
 */
export function getAccessToken(options: GetAccessTokenOptions): Promise<AccessToken> {
  return acquire(options, false);
}

/** Like getAccessToken, but always refreshes (for one retry after a 401). */
export function forceRefresh(options: GetAccessTokenOptions): Promise<AccessToken> {
  return acquire(options, true);
}
