/**
 * `token get`: an access token from any OAuth issuer, into the token cache (keyed by issuer, client
 * and subject), where `invoke`, `token show/verify/refresh` find it. Flows: client credentials (the
 * default when a client secret is known), authorization code + PKCE with a loopback redirect (the
 * default otherwise), device code. Defaults come from --agent's authorizer and the project's
 * `cognito` section. A cached token that is good for 2 more minutes is returned as it is (unless
 * --force); one about to expire is renewed (refresh_token grant, or a new client-credentials token).
 */
import { spawn } from "node:child_process";
import { saveClientSecret } from "../../auth/client-secret.js";
import { decodeClaims, readSecretFromStdin } from "../../auth/cognito.js";
import {
  authorizationCodeToken,
  clientCredentialsToken,
  DEFAULT_LOGIN_TIMEOUT_MS,
  DEFAULT_REDIRECT_PORT,
  deviceCodeToken,
  type OAuthFlow,
  type OAuthTokens,
} from "../../auth/oauth.js";
import {
  clientSecretFor,
  findOAuthEntry,
  type OAuthTarget,
  oauthCacheEntry,
  renewOAuthEntry,
  secretRequired,
  withIssuer,
} from "../../auth/oauth-tokens.js";
import { type CachedTokens, TokenCache } from "../../auth/token-cache.js";
import { DEFAULT_MIN_VALIDITY_SECONDS, issuerFromDiscoveryUrl } from "../../auth/tokens.js";
import type { AgentConfig, CognitoConfig } from "../../config/schema.js";
import { maskToken } from "../../config/secrets.js";
import { loadConfig, requireConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { UsageError } from "../../errors.js";
import { summaryClaims } from "./format.js";
import type { TokenGetFlowName, TokenGetInput, TokenGetResult } from "./types.js";

export type GetContext = Pick<CommandContext, "cwd" | "env" | "output" | "stdin" | "aws">;

const FLOWS: Record<TokenGetFlowName, OAuthFlow> = {
  "client-credentials": "client_credentials",
  "authorization-code": "authorization_code",
  device: "device",
};

interface Defaults {
  discoveryUrl?: string;
  clientId?: string;
  scope?: string;
  cognito?: CognitoConfig;
  agent?: AgentConfig;
}

/** Issuer, client and scopes from the flags, else --agent's authorizer, else the project's `cognito` section (M2M client first). */
async function defaults(input: TokenGetInput, ctx: GetContext): Promise<Defaults> {
  const loaded = input.agentName ? await requireConfig(ctx.cwd, ctx.env) : await loadConfig(ctx.cwd, ctx.env);
  const cognito = loaded?.config.cognito;
  const agent = input.agentName && loaded ? selectAgent(loaded, input.agentName) : undefined;
  const authorizer = agent?.authorizerConfiguration?.customJWTAuthorizer;
  const m2m = cognito?.m2m;
  const discoveryUrl = input.discoveryUrl ?? authorizer?.discoveryUrl ?? cognito?.discoveryUrl;
  const sameAsCognito = cognito !== undefined && discoveryUrl === cognito.discoveryUrl;
  const allowed = authorizer?.allowedClients ?? [];
  const wantsM2m = input.flow === undefined || input.flow === "client-credentials";
  let clientId = input.clientId;
  if (!clientId && sameAsCognito && wantsM2m && m2m && (allowed.length === 0 || allowed.includes(m2m.clientId))) clientId = m2m.clientId;
  if (!clientId && allowed.length > 0) clientId = allowed.find((c) => c === m2m?.clientId) ?? allowed[0];
  if (!clientId && sameAsCognito) clientId = cognito.clientId;
  let scope = input.scopes?.length ? input.scopes.join(" ") : undefined;
  if (!scope && authorizer?.allowedScopes?.length) scope = authorizer.allowedScopes.join(" ");
  if (!scope && sameAsCognito && m2m && clientId === m2m.clientId) scope = m2m.scopes.join(" ");
  return { discoveryUrl, clientId, scope, cognito, agent };
}

function flowName(flow: OAuthFlow): TokenGetFlowName {
  return (Object.entries(FLOWS).find(([, v]) => v === flow)?.[0] ?? "client-credentials") as TokenGetFlowName;
}

/** Opens the URL in the desktop's browser when there is a display; never fails the command. */
function openBrowser(url: string, env: NodeJS.ProcessEnv): boolean {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  if (process.platform === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
  try {
    const child = spawn(command, [url], { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export async function tokenGet(input: TokenGetInput, ctx: GetContext): Promise<TokenGetResult> {
  const { output, env } = ctx;
  if (input.saveClientSecret && !input.clientSecretStdin) {
    throw new UsageError("--save-client-secret saves the secret read by --client-secret-stdin: pass both.", { code: "ConflictingFlags" });
  }
  const chosen = await defaults(input, ctx);
  if (!chosen.discoveryUrl) {
    throw new UsageError("No issuer to get a token from.", {
      code: "MissingValue",
      hint: "Pass --discovery-url (or --agent with a JWT authorizer, or run `agentcore-ts cognito setup --m2m` here).",
    });
  }
  if (!chosen.clientId) {
    throw new UsageError(`No client id for ${chosen.discoveryUrl}.`, { code: "MissingValue", hint: "Pass --client-id." });
  }
  const discoveryUrl = chosen.discoveryUrl;
  const clientId = chosen.clientId;
  const base = {
    discoveryUrl,
    clientId,
    ...(chosen.scope ? { scope: chosen.scope } : {}),
    ...(input.resource ? { resource: input.resource } : {}),
    ...(input.audience ? { audience: input.audience } : {}),
  };
  const given = input.clientSecretStdin
    ? (await readSecretFromStdin(ctx.stdin, { flag: "--client-secret-stdin", name: "client secret" })).trim()
    : undefined;
  const aws = async () => ctx.aws(chosen.cognito?.region);
  // The flow: as asked; else client credentials when a secret is known (given, env, saved, or Cognito's M2M client), else a browser sign-in.
  let secret: Awaited<ReturnType<typeof clientSecretFor>>;
  let secretSource: TokenGetResult["clientSecretSource"] = given !== undefined ? "stdin" : undefined;
  let flow: OAuthFlow;
  if (input.flow) {
    flow = FLOWS[input.flow];
  } else {
    secret = await clientSecretFor(
      { ...base, flow: "client_credentials" },
      { env, secret: given, aws: chosen.cognito?.m2m?.clientId === clientId ? await aws() : undefined },
    );
    flow = secret ? "client_credentials" : "authorization_code";
    secretSource = secret?.source;
  }
  const target: OAuthTarget = { ...base, flow };
  const cache = new TokenCache(env);
  const cached = findOAuthEntry(await cache.entries(), target);

  let entry: CachedTokens;
  let source: TokenGetResult["source"];
  const left = cached ? Date.parse(cached.accessTokenExpiresAt) - Date.now() : 0;
  if (cached && !input.force && left > DEFAULT_MIN_VALIDITY_SECONDS * 1000) {
    entry = cached;
    source = "cache";
    output.debug(`Using the cached token (valid for ${Math.round(left / 1000)}s more).`);
  } else if (cached && !input.force && (cached.refreshToken || flow === "client_credentials")) {
    const renewed = await output.task("Renew the cached token", async () =>
      renewOAuthEntry(cached, { env, secret: given ?? secret?.secret, aws: await aws(), cache }),
    );
    entry = renewed.entry;
    source = renewed.method === "refresh_token" ? "refresh_token" : "issuer";
  } else {
    const known = given !== undefined ? { secret: given, source: "stdin" as const } : secret;
    const tokens = await fetchTokens(target, input, ctx, known, aws, chosen.cognito?.redirectPort);
    entry = oauthCacheEntry(target, tokens.tokens, env);
    secretSource = tokens.secretSource ?? secretSource;
    await cache.put(entry);
    source = "issuer";
  }
  let savedTo: string | undefined;
  if (input.saveClientSecret && given) savedTo = await saveClientSecret(env, issuerFromDiscoveryUrl(discoveryUrl), clientId, given);
  const expiresAt = new Date(entry.accessTokenExpiresAt);
  return {
    flow: flowName(flow),
    issuer: entry.issuer,
    discoveryUrl,
    clientId,
    subject: entry.username,
    ...(entry.scope ? { scope: entry.scope } : {}),
    source,
    token: maskToken(entry.accessToken),
    expiresAt: entry.accessTokenExpiresAt,
    expiresInSeconds: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
    refreshToken: Boolean(entry.refreshToken),
    claims: summaryClaims(decodeClaims(entry.accessToken)),
    ...(secretSource ? { clientSecretSource: secretSource } : {}),
    ...(savedTo ? { clientSecretSavedTo: savedTo } : {}),
  };
}

async function fetchTokens(
  target: OAuthTarget,
  input: TokenGetInput,
  ctx: GetContext,
  known: { secret: string; source: NonNullable<TokenGetResult["clientSecretSource"]> } | undefined,
  aws: () => Promise<import("../../aws/clients.js").AwsClients>,
  redirectPortDefault?: number,
): Promise<{ tokens: OAuthTokens; secretSource?: TokenGetResult["clientSecretSource"] }> {
  const { output, env } = ctx;
  const spec = { discoveryUrl: target.discoveryUrl, clientId: target.clientId };
  return withIssuer(target.discoveryUrl, env, async () => {
    if (target.flow === "client_credentials") {
      const found = known ?? (await clientSecretFor(target, { env, aws: await aws() }));
      if (!found) throw secretRequired(target);
      const tokens = await output.task(`Client-credentials token for ${target.clientId}`, () =>
        clientCredentialsToken({ ...spec, clientSecret: found.secret }, target),
      );
      return { tokens, secretSource: found.source };
    }
    if (target.flow === "device") {
      const tokens = await deviceCodeToken(spec, {
        ...target,
        onUserCode: ({ userCode, verificationUri, verificationUriComplete, expiresIn }) => {
          output.info(`To sign in, open ${verificationUri} and enter the code ${userCode}`);
          if (verificationUriComplete) output.info(`  (or open ${verificationUriComplete})`);
          output.info(`  Waiting up to ${Math.round(expiresIn / 60)} min for the sign-in…`);
        },
      });
      return { tokens };
    }
    const port = input.redirectPort ?? redirectPortDefault ?? DEFAULT_REDIRECT_PORT;
    const tokens = await authorizationCodeToken(
      { ...spec, ...(known ? { clientSecret: known.secret } : {}) },
      {
        ...target,
        port,
        timeoutMs: input.timeoutSeconds !== undefined ? input.timeoutSeconds * 1000 : DEFAULT_LOGIN_TIMEOUT_MS,
        onAuthorizationUrl: (url) => {
          output.info(`Sign in in your browser (redirect http://localhost:${port}/callback):`);
          output.info(`  ${url}`);
          if (!input.noBrowser && openBrowser(url, env)) output.info("  (opened in your browser)");
        },
      },
    );
    return { tokens };
  });
}
