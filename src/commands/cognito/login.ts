/** The test user's password (given, prompted or generated) and the login that fills the token cache. */
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { generatePassword, loginWithPassword, PASSWORD_ENV, promptPassword, type TokenSet } from "../../auth/cognito.js";
import type { CachedTokens, TokenCache } from "../../auth/token-cache.js";
import { cacheEntryFrom, renewTokens } from "../../auth/tokens.js";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import { AgentcoreError } from "../../errors.js";
import type { SetupContext } from "./types.js";

/** Where the password for a new or reset user comes from: given, prompted (empty = generate), or generated. */
export async function passwordToSet(
  given: string | undefined,
  username: string,
  ctx: SetupContext,
): Promise<{ password: string; generated: boolean }> {
  if (given !== undefined) return { password: given, generated: false };
  const prompted = await promptPassword(ctx.prompter, `Password for "${username}" (leave empty to generate a strong one)`, true);
  if (prompted !== undefined) return { password: prompted, generated: false };
  return { password: generatePassword(), generated: true };
}

export interface LoginArgs {
  client: CognitoIdentityProviderClient;
  key: { userPoolId: string; clientId: string; username: string; region: string; local: boolean };
  password: string | undefined;
  passwordWasSet: boolean;
  cache: TokenCache;
  ctx: SetupContext;
  username: string;
}

/**
 * Logs the user in and caches the tokens. With a password: USER_PASSWORD_AUTH. Without (an existing
 * user and nothing given): the cached refresh token, else a prompt, else a clear error saying what to pass.
 */
export async function logIn(args: LoginArgs): Promise<{ tokens: TokenSet; entry: CachedTokens; method: "password" | "refresh_token" }> {
  const { client, key, ctx, username, cache } = args;
  const passwordHint = `Pass the right password with --password-stdin or ${PASSWORD_ENV}, or add --reset-password to set a new one.`;
  const withPassword = async (password: string, hint: string | undefined) => {
    const tokens = await ctx.output.task(`Log in as "${username}"`, async () =>
      loginWithPassword(client, { clientId: key.clientId, username, password, passwordHint: hint }),
    );
    const entry = cacheEntryFrom(key, tokens);
    await cache.put(entry);
    return { tokens, entry, method: "password" as const };
  };
  if (args.password !== undefined) return withPassword(args.password, args.passwordWasSet ? undefined : passwordHint);
  const cached = await cache.get(key);
  if (cached?.refreshToken) {
    try {
      const renewed = await ctx.output.task(`Log in as "${username}" (cached refresh token)`, async () =>
        renewTokens({ key, previous: cached, client, env: ctx.env, cache }),
      );
      return { tokens: tokensOf(renewed.entry), entry: renewed.entry, method: "refresh_token" };
    } catch (error) {
      if (!(error instanceof AgentcoreError && error.code === "RefreshTokenRejected")) throw error;
      ctx.output.warn("The cached refresh token was refused (expired or revoked): a password is needed.");
    }
  }
  const prompted = await promptPassword(ctx.prompter, `Password of the existing user "${username}"`);
  if (prompted !== undefined) return withPassword(prompted, passwordHint);
  throw new AgentcoreError(
    `The pool, app client and user "${username}" are ready (saved in ${CONFIG_FILE_NAME}), but logging in needs the user's password, which agentcore-ts never stores.`,
    {
      code: "PasswordRequired",
      hint: `Rerun with the password: ${PASSWORD_ENV}=… agentcore-ts cognito setup (or pipe it to --password-stdin); forgot it? add --reset-password to set a new generated one.`,
    },
  );
}

function tokensOf(entry: CachedTokens): TokenSet {
  return {
    accessToken: entry.accessToken,
    accessTokenExpiresAt: new Date(entry.accessTokenExpiresAt),
    issuer: entry.issuer,
    claims: {},
  };
}
