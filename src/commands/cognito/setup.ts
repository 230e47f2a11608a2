/**
 * `cognito setup`: what the Inbound Auth workshop's setup script does, as one idempotent command.
 * User pool (password length >= 8), public app client (USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH),
 * a test user with a permanent password, a login, the tokens in the token cache, the ids in
 * .agentcore.json and .env. A rerun finds and reuses everything (by recorded id, then by name) and
 * creates nothing new; a pool deleted out of band is recreated. `--local` does the same against the
 * embedded Cognito.
 */

import path from "node:path";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { PASSWORD_ENV, type PasswordSource, passwordProblem, suppliedPassword, withCognito } from "../../auth/cognito.js";
import { DEFAULT_REDIRECT_PORT, redirectUri } from "../../auth/oauth.js";
import { TokenCache } from "../../auth/token-cache.js";
import type { AwsClients } from "../../aws/clients.js";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import type { CognitoConfig } from "../../config/schema.js";
import { maskToken } from "../../config/secrets.js";
import { configFileFor, readConfigFile, updateConfig } from "../../config/store.js";
import { withJsonDocument } from "../../core/document.js";
import { UsageError } from "../../errors.js";
import { readDotenvFile, updateDotenvFile } from "../../util/dotenv-file.js";
import { exists } from "../../util/fs.js";
import { enableBrowserLogin } from "./browser-login.js";
import { logIn, passwordToSet } from "./login.js";
import { checkM2mInput, defaultDomainPrefix, ensureDomain, setUpM2m } from "./m2m.js";
import { createUser, findOrCreateClient, findOrCreatePool, setPermanentPassword, userStatus } from "./resources.js";
import type { CognitoSetupInput, CognitoSetupResult, SetupContext } from "./types.js";

// The quickstart may import only this entry point of the folder (test/architecture): its types are re-exported here.
export type { CognitoSetupDocument, CognitoSetupInput, CognitoSetupResult, ResourceStatus, SetupContext } from "./types.js";

export const DEFAULT_USERNAME = "testuser";
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

/** The region for a pool in AWS; without one, the error also names --local (no AWS account or region needed). */
function regionOrLocalHint(aws: AwsClients): string {
  try {
    return aws.config().region;
  } catch (error) {
    if (error instanceof UsageError && error.code === "NoRegion") {
      throw new UsageError(error.message, {
        code: "NoRegion",
        hint: "Pass --region (or set AWS_REGION) for a user pool in AWS, or run `agentcore-ts cognito setup --local` for the embedded Cognito on this machine (no AWS account needed).",
      });
    }
    throw error;
  }
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

/** Everything setup decides before it creates anything. */
interface SetupPlan {
  configFile: string;
  projectDir: string;
  envFile: string;
  /** The cognito section an earlier setup recorded. */
  previous?: CognitoConfig;
  cache: TokenCache;
  local: boolean;
  region: string;
  aws: AwsClients;
  poolName: string;
  clientName: string;
  username: string;
  given?: { password: string; source: PasswordSource };
  /** --m2m: the scope names and the domain asked for. */
  m2m?: ReturnType<typeof checkM2mInput>;
  /** The recorded pool is the one to look for first (same place, same name). */
  samePool: boolean;
}

/** Everything that can be refused is checked here, before anything is created. */
async function planSetup(input: CognitoSetupInput, ctx: SetupContext): Promise<SetupPlan> {
  const { output, env } = ctx;
  const configFile = await configFileFor(ctx.cwd);
  const projectDir = path.dirname(configFile);
  const envFile = path.join(projectDir, ".env");
  const m2m = input.m2m || input.browserLogin ? checkM2mInput(input) : undefined;
  if (
    input.redirectPort !== undefined &&
    !(Number.isInteger(input.redirectPort) && input.redirectPort >= 1 && input.redirectPort <= 65535)
  ) {
    throw new UsageError(`--redirect-port "${input.redirectPort}" is not a TCP port.`, {
      code: "BadPort",
      hint: "Use a number from 1 to 65535.",
    });
  }
  const previous: CognitoConfig | undefined = (await exists(configFile)) ? (await readConfigFile(configFile)).cognito : undefined;
  const cache = new TokenCache(env);
  await cache.read();
  await readDotenvFile(envFile); // a .env that cannot be read fails here, before anything is created

  const local = input.local ?? previous?.local ?? false;
  if (input.local === undefined && previous?.local) {
    // Said before the work starts: it explains where the pool is about to be set up.
    output.info(`Using the embedded local Cognito, as recorded in ${CONFIG_FILE_NAME} (pass --no-local to set up a pool in AWS).`);
  }
  const region = local ? ((await ctx.region(previous?.region)) ?? "us-east-1") : regionOrLocalHint(await ctx.aws(previous?.region));
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
  return { configFile, projectDir, envFile, previous, cache, local, region, aws, poolName, clientName, username, given, samePool, m2m };
}

interface UserChoice {
  status: "created" | "reused";
  /** The password to log in with: the one set now, else the given one (undefined: none known). */
  password?: string;
  passwordSet: boolean;
  generatedPassword?: string;
}

/** The test user: created, or given a permanent password when asked (or when it has none), else reused as it is. */
async function ensureUser(
  client: CognitoIdentityProviderClient,
  poolId: string,
  input: CognitoSetupInput,
  plan: SetupPlan,
  ctx: SetupContext,
): Promise<UserChoice> {
  const { output } = ctx;
  const { username } = plan;
  const status = await userStatus(client, poolId, username);
  const created = status === undefined ? "created" : "reused";
  if (!(status === undefined || input.resetPassword || status === "FORCE_CHANGE_PASSWORD")) {
    output.success(`Test user "${username}" (reused, password unchanged)`);
    return { status: created, password: plan.given?.password, passwordSet: false };
  }
  const chosen = await passwordToSet(plan.given?.password, username, ctx);
  await output.task(status === undefined ? `Test user "${username}"` : `New password for "${username}"`, async () => {
    if (status === undefined) await createUser(client, poolId, username);
    await setPermanentPassword(client, poolId, username, chosen.password);
  });
  if (status === "FORCE_CHANGE_PASSWORD" && !input.resetPassword) {
    output.info(`  "${username}" had no permanent password (an earlier setup was interrupted?): set one.`);
  }
  if (!chosen.generated) return { status: created, password: chosen.password, passwordSet: true };
  // Shown at once, while it runs: a later step may fail, and the password is set and stored nowhere.
  output.info(`  Generated password for "${username}" (shown once, not stored): ${chosen.password}`);
  return { status: created, password: chosen.password, passwordSet: true, generatedPassword: chosen.password };
}

/** Saves the ids before logging in (a failed login must not lose them): the cognito section, then .env. */
async function saveIds(plan: SetupPlan, section: CognitoConfig, ctx: SetupContext) {
  await updateConfig(plan.configFile, (config) => {
    const next = { ...(config.cognito ?? {}), ...section };
    if (!section.m2m) delete next.m2m;
    config.cognito = next;
  });
  const envChanges: Record<string, string> = { COGNITO_DISCOVERY_URL: section.discoveryUrl, COGNITO_CLIENT_ID: section.clientId };
  const currentEnv = await ctx.dotenv(plan.projectDir);
  if (!plan.local || currentEnv.AWS_REGION === undefined) envChanges.AWS_REGION = plan.region;
  const update = await updateDotenvFile(plan.envFile, envChanges);
  return { envKeys: Object.keys(envChanges), envChanged: update.added.length + update.updated.length > 0, currentEnv };
}

export async function cognitoSetup(input: CognitoSetupInput, ctx: SetupContext): Promise<CognitoSetupResult> {
  const { output, env } = ctx;
  const plan = await planSetup(input, ctx);
  const { previous, local, region, poolName, clientName, username } = plan;
  let generatedPassword: string | undefined;
  try {
    return await withCognito(plan.aws, { region, local }, env, async ({ client, endpoint }) => {
      // The lines under each step (the ids, how the user was handled) are progress, said as each step ends.
      const pool = await output.task(`User pool "${poolName}"`, async () =>
        findOrCreatePool(client, poolName, plan.samePool ? previous?.userPoolId : undefined, output),
      );
      output.info(`  ${pool.id} (${pool.status})`);
      const app = await output.task(`App client "${clientName}"`, async () =>
        findOrCreateClient(client, pool.id, clientName, plan.samePool && pool.status === "reused" ? previous?.clientId : undefined, output),
      );
      output.info(`  ${app.id} (${app.status}${app.updated ? ", auth flows added" : ""})`);
      const user = await ensureUser(client, pool.id, input, plan, ctx);
      generatedPassword = user.generatedPassword;

      const discoveryUrl = local ? `${endpoint}/${pool.id}/.well-known/openid-configuration` : cognitoDiscoveryUrl(region, pool.id);
      if (previous && previous.discoveryUrl !== discoveryUrl) {
        const why = local && pool.status === "reused" ? " (the embedded Cognito's port changed?)" : "";
        output.warn(
          `The discovery URL changed${why}: agents configured with ${previous.discoveryUrl} need \`agentcore-ts configure\` again.`,
        );
      }
      // An M2M setup recorded for another pool does not carry over.
      const keptM2m = previous?.m2m && previous.userPoolId === pool.id ? { m2m: previous.m2m } : {};
      const section: CognitoConfig = { region, userPoolId: pool.id, clientId: app.id, username, discoveryUrl, poolName, local, ...keptM2m };
      const saved = await saveIds(plan, section, ctx);

      const key = { userPoolId: pool.id, clientId: app.id, username, region, local };
      const login = await logIn({
        client,
        key,
        password: user.password,
        passwordWasSet: user.passwordSet,
        cache: plan.cache,
        ctx,
        username,
      });
      const entry = login.entry;
      if (login.tokens.issuer && login.tokens.issuer !== discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, "")) {
        output.warn(
          `The token's issuer (${login.tokens.issuer}) differs from the discovery URL's; an authorizer using ${discoveryUrl} would reject it (is AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER set?).`,
        );
      }
      let m2mResult: CognitoSetupResult["m2m"];
      const domain = plan.m2m?.domain ?? (keptM2m.m2m?.domain || defaultDomainPrefix(poolName, pool.id));
      if (plan.m2m && input.m2m) {
        const done = await setUpM2m({
          client,
          poolId: pool.id,
          poolName,
          discoveryUrl,
          scopeNames: plan.m2m.scopeNames,
          domain,
          env,
          output,
          cache: plan.cache,
        });
        await updateConfig(plan.configFile, (config) => {
          config.cognito = { ...section, ...(config.cognito ?? {}), m2m: done.section };
        });
        const { section: m2mSection, ...rest } = done;
        m2mResult = { ...rest, scopes: m2mSection.scopes, tokenEndpoint: m2mSection.tokenEndpoint };
      }
      let browserLogin: CognitoSetupResult["browserLogin"];
      if (input.browserLogin) {
        const port = input.redirectPort ?? previous?.redirectPort ?? DEFAULT_REDIRECT_PORT;
        if (!m2mResult) {
          await output.task(`User pool domain "${domain}"`, (update) =>
            ensureDomain(client, pool.id, domain, env, (text) => update(`User pool domain "${domain}": ${text}`)),
          );
        }
        const updated = await output.task(`Browser sign-in on "${clientName}"`, () => enableBrowserLogin(client, pool.id, app.id, port));
        output.info(`  callback ${redirectUri(port)} (${updated ? "added" : "already registered"})`);
        await updateConfig(plan.configFile, (config) => {
          config.cognito = { ...section, ...(config.cognito ?? {}), redirectPort: port };
        });
        browserLogin = { redirectUri: redirectUri(port), domain, updated };
      }
      const envKeys = saved.envKeys;
      if (input.writeTokenToEnv) {
        await updateDotenvFile(plan.envFile, { COGNITO_ACCESS_TOKEN: entry.accessToken }, { newFileMode: 0o600 });
        envKeys.push("COGNITO_ACCESS_TOKEN");
        output.warn(`.env now holds the access token (COGNITO_ACCESS_TOKEN): keep .env out of version control.`);
      } else if (saved.currentEnv.COGNITO_ACCESS_TOKEN !== undefined) {
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
        user: { username, status: user.status, passwordSet: user.passwordSet },
        discoveryUrl,
        clientId: app.id,
        accessToken: {
          masked: maskToken(entry.accessToken),
          expiresAt: entry.accessTokenExpiresAt,
          expiresInSeconds: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
          method: login.method,
        },
        files: { config: plan.configFile, env: plan.envFile, envKeys },
        ...(m2mResult ? { m2m: m2mResult } : {}),
        ...(browserLogin ? { browserLogin } : {}),
        ...(generatedPassword ? { generatedPassword } : {}),
        next: "agentcore-ts configure --entrypoint <your agent file>",
        envChanged: saved.envChanged,
      };
      // Whether .env changed is for the summary line only: the --json document is as it always was.
      return withJsonDocument(result, ({ envChanged: _envChanged, ...document }) => document);
    });
  } catch (error) {
    // The password was set but the output that shows it may never come (--json prints only the error).
    if (generatedPassword && output.json)
      output.warn(`Generated password for "${username}" (shown once, not stored): ${generatedPassword}`);
    throw error;
  }
}
