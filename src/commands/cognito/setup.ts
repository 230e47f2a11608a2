/**
 * `cognito setup`: what the Inbound Auth workshop's setup script does, as one idempotent command.
 * User pool (password length >= 8), public app client (USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH),
 * a test user with a permanent password, a login, the tokens in the token cache, the ids in
 * .agentcore.json and .env. A rerun finds and reuses everything (by recorded id, then by name) and
 * creates nothing new; a pool deleted out of band is recreated. `--local` does the same against the
 * embedded Cognito.
 */

import path from "node:path";
import type { CognitoIdentityProviderClient, UserPoolClientType } from "@aws-sdk/client-cognito-identity-provider";
import {
  generatePassword,
  loginWithPassword,
  PASSWORD_ENV,
  passwordProblem,
  promptPassword,
  suppliedPassword,
  type TokenSet,
  withCognito,
} from "../../auth/cognito.js";
import { type CachedTokens, TokenCache } from "../../auth/token-cache.js";
import { cacheEntryFrom, renewTokens } from "../../auth/tokens.js";
import { CONFIG_FILE_NAME, type CognitoConfig } from "../../config/schema.js";
import { maskToken } from "../../config/secrets.js";
import { configFileFor, readConfigFile, updateConfig } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError, fromAwsError, UsageError } from "../../errors.js";
import { describeExpiry } from "../../ui/format.js";
import { readDotenvFile, updateDotenvFile } from "../../util/dotenv-file.js";
import { exists } from "../../util/fs.js";

export type SetupContext = Pick<CommandContext, "cwd" | "env" | "output" | "prompter" | "stdin" | "aws" | "region" | "dotenv">;

export interface CognitoSetupInput {
  poolName?: string;
  clientName?: string;
  username?: string;
  passwordStdin?: boolean;
  /** Set a new password for an existing user (the given one, else a generated one). */
  resetPassword?: boolean;
  /** true: embedded Cognito; false: AWS; undefined: as recorded in .agentcore.json, else AWS. */
  local?: boolean;
  writeTokenToEnv?: boolean;
}

export type ResourceStatus = "created" | "reused" | "recreated";

export interface CognitoSetupResult {
  local: boolean;
  region: string;
  userPool: { id: string; name: string; status: ResourceStatus };
  appClient: { id: string; name: string; status: ResourceStatus; updated?: boolean };
  user: { username: string; status: "created" | "reused"; passwordSet: boolean };
  discoveryUrl: string;
  clientId: string;
  accessToken: { masked: string; expiresAt: string; expiresInSeconds: number; method: "password" | "refresh_token" };
  files: { config: string; env: string; envKeys: string[] };
  /** Only when this run generated the password: shown once, never stored. */
  generatedPassword?: string;
  next: string;
}

export const DEFAULT_USERNAME = "testuser";
const REQUIRED_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] as const;
const NAME = /^[\w\s+=,.@-]{1,128}$/u;
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** "agentcore-ts-my-project" from the project directory's name. */
export function defaultPoolName(projectDir: string): string {
  const slug = path
    .basename(projectDir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
  return `agentcore-ts-${slug || "project"}`;
}

export function cognitoDiscoveryUrl(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}/.well-known/openid-configuration`;
}

function checkName(value: string, flag: string): string {
  if (!NAME.test(value)) {
    throw new UsageError(`${flag} "${value}" is not a valid Cognito name.`, {
      hint: "Use 1-128 letters, digits, spaces and + = , . @ - _.",
      code: "BadName",
    });
  }
  return value;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === "ResourceNotFoundException" || name === "UserNotFoundException";
}

interface PoolChoice {
  id: string;
  name: string;
  status: ResourceStatus;
}

async function findOrCreatePool(
  client: CognitoIdentityProviderClient,
  poolName: string,
  recorded: string | undefined,
  ctx: SetupContext,
): Promise<PoolChoice> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  let recordedWasDeleted = false;
  if (recorded) {
    try {
      const described = await client.send(new sdk.DescribeUserPoolCommand({ UserPoolId: recorded }));
      if (described.UserPool?.Name === poolName) return { id: recorded, name: poolName, status: "reused" };
    } catch (error) {
      if (!isNotFound(error)) throw fromAwsError(error, `DescribeUserPool ${recorded}`);
      recordedWasDeleted = true;
      ctx.output.warn(
        `User pool ${recorded} recorded in ${CONFIG_FILE_NAME} no longer exists (deleted outside agentcore-ts): setting up a new one.`,
      );
    }
  }
  const matches: { Id?: string; Name?: string; CreationDate?: Date }[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(new sdk.ListUserPoolsCommand({ MaxResults: 60, NextToken: nextToken }));
      matches.push(...(page.UserPools ?? []).filter((p) => p.Name === poolName && p.Id));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw fromAwsError(error, "ListUserPools");
  }
  if (matches.length > 0) {
    matches.sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
    if (matches.length > 1) {
      ctx.output.warn(
        `${matches.length} user pools are named "${poolName}" (${matches.map((m) => m.Id).join(", ")}): using the newest, ${matches[0].Id}.`,
      );
    }
    return { id: matches[0].Id!, name: poolName, status: "reused" };
  }
  try {
    const created = await client.send(
      new sdk.CreateUserPoolCommand({ PoolName: poolName, Policies: { PasswordPolicy: { MinimumLength: 8 } } }),
    );
    return { id: created.UserPool!.Id!, name: poolName, status: recordedWasDeleted ? "recreated" : "created" };
  } catch (error) {
    throw fromAwsError(error, `CreateUserPool "${poolName}"`);
  }
}

interface ClientChoice {
  id: string;
  name: string;
  status: ResourceStatus;
  updated?: boolean;
}

/** Settings UpdateUserPoolClient would otherwise reset to their defaults. */
const PRESERVED_CLIENT_FIELDS = [
  "ClientName",
  "RefreshTokenValidity",
  "AccessTokenValidity",
  "IdTokenValidity",
  "TokenValidityUnits",
  "ReadAttributes",
  "WriteAttributes",
  "SupportedIdentityProviders",
  "CallbackURLs",
  "LogoutURLs",
  "DefaultRedirectURI",
  "AllowedOAuthFlows",
  "AllowedOAuthScopes",
  "AllowedOAuthFlowsUserPoolClient",
  "AnalyticsConfiguration",
  "PreventUserExistenceErrors",
  "EnableTokenRevocation",
  "EnablePropagateAdditionalUserContextData",
  "AuthSessionValidity",
  "RefreshTokenRotation",
] as const;

async function checkClient(client: CognitoIdentityProviderClient, existing: UserPoolClientType, ctx: SetupContext): Promise<boolean> {
  if (existing.ClientSecret) {
    throw new AgentcoreError(
      `App client "${existing.ClientName}" (${existing.ClientId}) has a client secret; agentcore-ts logs in with a public client.`,
      {
        code: "ClientHasSecret",
        hint: "Pass --client-name with a new name to create a public client next to it (or delete that client).",
      },
    );
  }
  const flows = existing.ExplicitAuthFlows ?? [];
  const missing = REQUIRED_FLOWS.filter((flow) => !flows.includes(flow) && !flows.includes(flow.replace(/^ALLOW_/, "") as never));
  if (missing.length === 0) return false;
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const preserved: Record<string, unknown> = {};
  for (const field of PRESERVED_CLIENT_FIELDS) {
    if (existing[field] !== undefined) preserved[field] = existing[field];
  }
  try {
    await client.send(
      new sdk.UpdateUserPoolClientCommand({
        ...preserved,
        UserPoolId: existing.UserPoolId!,
        ClientId: existing.ClientId!,
        ExplicitAuthFlows: [...flows, ...missing],
      }),
    );
  } catch (error) {
    throw fromAwsError(error, `UpdateUserPoolClient ${existing.ClientId}`);
  }
  ctx.output.warn(`App client "${existing.ClientName}" did not allow ${missing.join(" and ")}: added.`);
  return true;
}

async function findOrCreateClient(
  client: CognitoIdentityProviderClient,
  poolId: string,
  clientName: string,
  recorded: string | undefined,
  ctx: SetupContext,
): Promise<ClientChoice> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const describe = async (clientId: string) =>
    (await client.send(new sdk.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient;
  let candidate: UserPoolClientType | undefined;
  try {
    if (recorded) {
      try {
        const found = await describe(recorded);
        if (found?.ClientName === clientName) candidate = found;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        ctx.output.warn(`App client ${recorded} recorded in ${CONFIG_FILE_NAME} no longer exists: setting up a new one.`);
      }
    }
    if (!candidate) {
      let nextToken: string | undefined;
      do {
        const page = await client.send(new sdk.ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60, NextToken: nextToken }));
        const match = (page.UserPoolClients ?? []).find((c) => c.ClientName === clientName && c.ClientId);
        if (match) {
          candidate = await describe(match.ClientId!);
          break;
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
  } catch (error) {
    throw fromAwsError(error, "Look up the app client");
  }
  if (candidate) {
    const updated = await checkClient(client, candidate, ctx);
    return { id: candidate.ClientId!, name: clientName, status: "reused", ...(updated ? { updated } : {}) };
  }
  try {
    const created = await client.send(
      new sdk.CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: clientName,
        GenerateSecret: false,
        ExplicitAuthFlows: [...REQUIRED_FLOWS],
      }),
    );
    return { id: created.UserPoolClient!.ClientId!, name: clientName, status: "created" };
  } catch (error) {
    throw fromAwsError(error, `CreateUserPoolClient "${clientName}"`);
  }
}

/** The user's status, or undefined when the user does not exist. */
async function userStatus(client: CognitoIdentityProviderClient, poolId: string, username: string): Promise<string | undefined> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  try {
    const user = await client.send(new sdk.AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    return user.UserStatus ?? "UNKNOWN";
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw fromAwsError(error, `AdminGetUser "${username}"`);
  }
}

async function setPermanentPassword(
  client: CognitoIdentityProviderClient,
  poolId: string,
  username: string,
  password: string,
): Promise<void> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  try {
    await client.send(new sdk.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
  } catch (error) {
    const invalid = (error as { name?: string }).name === "InvalidPasswordException";
    throw fromAwsError(
      error,
      `AdminSetUserPassword "${username}"`,
      invalid
        ? "Choose a longer password with upper- and lower-case letters, digits and symbols, or let agentcore-ts generate one."
        : undefined,
    );
  }
}

async function createUser(client: CognitoIdentityProviderClient, poolId: string, username: string): Promise<void> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  try {
    await client.send(new sdk.AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: "SUPPRESS" }));
  } catch (error) {
    throw fromAwsError(error, `AdminCreateUser "${username}"`);
  }
}

/** Where the password for a new or reset user comes from: given, prompted (empty = generate), or generated. */
async function passwordToSet(
  given: string | undefined,
  username: string,
  ctx: SetupContext,
): Promise<{ password: string; generated: boolean }> {
  if (given !== undefined) return { password: given, generated: false };
  const prompted = await promptPassword(ctx.prompter, `Password for "${username}" (leave empty to generate a strong one)`, true);
  if (prompted !== undefined) return { password: prompted, generated: false };
  return { password: generatePassword(), generated: true };
}

export async function cognitoSetup(input: CognitoSetupInput, ctx: SetupContext): Promise<CognitoSetupResult> {
  const { output, env } = ctx;
  // Everything that can be refused is checked before anything is created.
  const configFile = await configFileFor(ctx.cwd);
  const projectDir = path.dirname(configFile);
  const envFile = path.join(projectDir, ".env");
  const previous: CognitoConfig | undefined = (await exists(configFile)) ? (await readConfigFile(configFile)).cognito : undefined;
  const cache = new TokenCache(env);
  await cache.read();
  await readDotenvFile(envFile); // a .env that cannot be read fails here, before anything is created

  const local = input.local ?? previous?.local ?? false;
  if (input.local === undefined && previous?.local) {
    output.info(`Using the embedded local Cognito, as recorded in ${CONFIG_FILE_NAME} (pass --no-local to set up a pool in AWS).`);
  }
  const region = local ? ((await ctx.region(previous?.region)) ?? "us-east-1") : (await ctx.aws(previous?.region)).config().region;
  const aws = await ctx.aws(region);
  const poolName = checkName(input.poolName ?? previous?.poolName ?? defaultPoolName(projectDir), "--pool-name");
  const clientName = checkName(input.clientName ?? `${poolName}-client`, "--client-name");
  const username = input.username ?? previous?.username ?? DEFAULT_USERNAME;
  if (!USERNAME.test(username)) {
    throw new UsageError(`--username "${username}" is not a valid Cognito username.`, {
      hint: "Use 1-128 characters without spaces.",
      code: "BadUsername",
    });
  }
  const given = await suppliedPassword({ passwordStdin: input.passwordStdin, stdin: ctx.stdin, env });
  if (given) {
    const problem = passwordProblem(given.password);
    if (problem)
      throw new UsageError(`The password from ${given.source === "env" ? PASSWORD_ENV : "--password-stdin"} is unusable: ${problem}.`, {
        code: "BadPassword",
      });
  }
  const samePlace = previous !== undefined && (previous.local ?? false) === local && (local || previous.region === region);
  if (previous && !samePlace) {
    const where = previous.local ? "the embedded local Cognito" : `AWS region ${previous.region}`;
    output.warn(
      `${CONFIG_FILE_NAME} records user pool ${previous.userPoolId} in ${where}; this setup replaces that record (the pool itself is kept: \`agentcore-ts cognito delete\` before switching removes it).`,
    );
  }
  const samePool = samePlace && (input.poolName === undefined || input.poolName === previous?.poolName);

  let generatedPassword: string | undefined;
  try {
    return await withCognito(aws, { region, local }, env, async ({ client, endpoint }) => {
      const pool = await output.task(`User pool "${poolName}"`, async () =>
        findOrCreatePool(client, poolName, samePool ? previous?.userPoolId : undefined, ctx),
      );
      output.info(`  ${pool.id} (${pool.status})`);
      const app = await output.task(`App client "${clientName}"`, async () =>
        findOrCreateClient(client, pool.id, clientName, samePool && pool.status === "reused" ? previous?.clientId : undefined, ctx),
      );
      output.info(`  ${app.id} (${app.status}${app.updated ? ", auth flows added" : ""})`);

      const status = await userStatus(client, pool.id, username);
      let password = given?.password;
      let passwordSet = false;
      if (status === undefined || input.resetPassword || status === "FORCE_CHANGE_PASSWORD") {
        const chosen = await passwordToSet(given?.password, username, ctx);
        await output.task(status === undefined ? `Test user "${username}"` : `New password for "${username}"`, async () => {
          if (status === undefined) await createUser(client, pool.id, username);
          await setPermanentPassword(client, pool.id, username, chosen.password);
        });
        if (status === "FORCE_CHANGE_PASSWORD" && !input.resetPassword) {
          output.info(`  "${username}" had no permanent password (an earlier setup was interrupted?): set one.`);
        }
        password = chosen.password;
        passwordSet = true;
        if (chosen.generated) {
          generatedPassword = chosen.password;
          output.info(`  Generated password for "${username}" (shown once, not stored): ${chosen.password}`);
        }
      } else {
        output.success(`Test user "${username}" (reused, password unchanged)`);
      }

      const discoveryUrl = local ? `${endpoint}/${pool.id}/.well-known/openid-configuration` : cognitoDiscoveryUrl(region, pool.id);
      const section: CognitoConfig = { region, userPoolId: pool.id, clientId: app.id, username, discoveryUrl, poolName, local };
      if (previous && previous.discoveryUrl !== discoveryUrl) {
        const why = local && pool.status === "reused" ? " (the embedded Cognito's port changed?)" : "";
        output.warn(
          `The discovery URL changed${why}: agents configured with ${previous.discoveryUrl} need \`agentcore-ts configure\` again.`,
        );
      }
      // Save progress before logging in: a failed login must not lose the ids.
      await updateConfig(configFile, (config) => {
        config.cognito = { ...(config.cognito ?? {}), ...section };
      });
      const envChanges: Record<string, string> = { COGNITO_DISCOVERY_URL: discoveryUrl, COGNITO_CLIENT_ID: app.id };
      const currentEnv = await ctx.dotenv(projectDir);
      if (!local || currentEnv.AWS_REGION === undefined) envChanges.AWS_REGION = region;
      const envUpdate = await updateDotenvFile(envFile, envChanges);

      const key = { userPoolId: pool.id, clientId: app.id, username, region, local };
      const login = await logIn({ client, key, password, passwordWasSet: passwordSet, cache, ctx, username });
      const entry = login.entry;

      if (login.tokens.issuer && login.tokens.issuer !== discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, "")) {
        output.warn(
          `The token's issuer (${login.tokens.issuer}) differs from the discovery URL's; an authorizer using ${discoveryUrl} would reject it (is AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER set?).`,
        );
      }
      const envKeys = Object.keys(envChanges);
      if (input.writeTokenToEnv) {
        await updateDotenvFile(envFile, { COGNITO_ACCESS_TOKEN: entry.accessToken }, { newFileMode: 0o600 });
        envKeys.push("COGNITO_ACCESS_TOKEN");
        output.warn(`.env now holds the access token (COGNITO_ACCESS_TOKEN): keep .env out of version control.`);
      } else if (currentEnv.COGNITO_ACCESS_TOKEN !== undefined) {
        output.warn(
          ".env still holds COGNITO_ACCESS_TOKEN from an earlier run; it was not updated (pass --write-token-to-env to update it, or delete the line).",
        );
      }

      const expiresAt = new Date(entry.accessTokenExpiresAt);
      const result: CognitoSetupResult = {
        local,
        region,
        userPool: pool,
        appClient: app,
        user: { username, status: status === undefined ? "created" : "reused", passwordSet },
        discoveryUrl,
        clientId: app.id,
        accessToken: {
          masked: maskToken(entry.accessToken),
          expiresAt: entry.accessTokenExpiresAt,
          expiresInSeconds: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
          method: login.method,
        },
        files: { config: configFile, env: envFile, envKeys },
        ...(generatedPassword ? { generatedPassword } : {}),
        next: "agentcore-ts configure --entrypoint <your agent file>",
      };
      printSummary(result, envUpdate.added.length + envUpdate.updated.length > 0, ctx);
      output.result(result);
      return result;
    });
  } catch (error) {
    // The password was set but the output that shows it may never come (--json prints only the error).
    if (generatedPassword && output.json)
      output.warn(`Generated password for "${username}" (shown once, not stored): ${generatedPassword}`);
    throw error;
  }
}

interface LoginArgs {
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
async function logIn(args: LoginArgs): Promise<{ tokens: TokenSet; entry: CachedTokens; method: "password" | "refresh_token" }> {
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

function printSummary(result: CognitoSetupResult, envChanged: boolean, ctx: SetupContext): void {
  const { output } = ctx;
  const envNote = envChanged ? `${result.files.envKeys.join(", ")} set in .env` : ".env already up to date";
  output.success(`Saved the ids to ${CONFIG_FILE_NAME} (cognito) and the tokens to the token cache; ${envNote}.`);
  output.info("");
  output.info(`Save these values${result.local ? " (embedded local Cognito)" : ""}:`);
  output.info(`  Discovery URL:  ${result.discoveryUrl}`);
  output.info(`  App client ID:  ${result.clientId}`);
  output.info(`  Access token:   ${result.accessToken.masked}, ${describeExpiry(new Date(result.accessToken.expiresAt))}`);
  output.info("                  `agentcore-ts token show --raw` prints it; `agentcore-ts token refresh` renews it.");
  if (result.generatedPassword) {
    output.info("");
    output.info(`The password of "${result.user.username}" was generated and is not stored. When the refresh token expires,`);
    output.info(
      `log in again with it: ${PASSWORD_ENV}='${result.generatedPassword}' agentcore-ts token refresh (or pipe it to --password-stdin).`,
    );
  }
  output.info("");
  output.info(`Next: ${result.next}   (picks up the discovery URL and client id as defaults)`);
  if (result.local) output.info("The embedded Cognito starts by itself when a command needs it (`agentcore-ts cognito local status`).");
}
