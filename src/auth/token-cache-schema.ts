/**
 * The token cache's schema (zod), apart from the cache so that reading an unchanged cache does not
 * load zod (./token-cache.ts, config/validation-memo.ts).
 */
import { z } from "zod";
import { CACHE_VERSION } from "./token-cache.js";

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO date");

export const cachedTokensSchema = z.looseObject({
  userPoolId: z.string().min(1),
  clientId: z.string().min(1),
  username: z.string().min(1),
  /** The Cognito region; "" for an issuer that is not a Cognito pool. */
  region: z.string(),
  /** The tokens' `iss` claim. */
  issuer: z.string().min(1),
  local: z.boolean(),
  accessToken: z.string().min(1),
  accessTokenExpiresAt: isoDate,
  idToken: z.string().min(1).optional(),
  idTokenExpiresAt: isoDate.optional(),
  /** Opaque; Cognito does not say when it expires (the app client's RefreshTokenValidity, 30 days by default). */
  refreshToken: z.string().min(1).optional(),
  /** When the password login that produced the refresh token happened. */
  refreshTokenIssuedAt: isoDate.optional(),
  updatedAt: isoDate,
  /** How an OAuth entry was had (absent: a Cognito password login); its renewal follows from it. */
  flow: z.enum(["client_credentials", "authorization_code", "device"]).optional(),
  /** The issuer's discovery document (OAuth entries): where the token endpoint is found again. */
  discoveryUrl: z.string().min(1).optional(),
  /** The scopes asked for (space-separated), asked for again on renewal. */
  scope: z.string().min(1).optional(),
  resource: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
});

export const cacheFileSchema = z.looseObject({
  version: z.literal(CACHE_VERSION),
  entries: z.record(z.string(), cachedTokensSchema),
});

export type CachedTokens = z.infer<typeof cachedTokensSchema>;
export type TokenCacheData = z.infer<typeof cacheFileSchema>;
