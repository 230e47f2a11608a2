/** Which user's tokens a `token` command works on: an agent's authorizer (--agent), else the project's Cognito user. */

import type { CachedTokens, TokenKey } from "../../auth/token-cache.js";
import { TokenCache } from "../../auth/token-cache.js";
import { fitsAuthorizer, issuerFromDiscoveryUrl, matchCachedTokens, type TokenTarget } from "../../auth/tokens.js";
import type { AgentConfig, CognitoConfig } from "../../config/schema.js";
import { loadConfig, requireConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError, ConfigError } from "../../errors.js";

export interface ResolvedTarget {
  target: TokenTarget;
  agent?: AgentConfig;
  cognito?: CognitoConfig;
  /** Best matching cache entry (holds tokens: never print it). */
  entry?: CachedTokens;
  /** Who to log in as when nothing is cached: the project's Cognito user. */
  key?: TokenKey & { region: string; local: boolean };
  cache: TokenCache;
}

export function noAuthorizerError(agent: AgentConfig): ConfigError {
  return new ConfigError(`Agent "${agent.name}" uses IAM (SigV4) inbound auth: it has no JWT authorizer.`, {
    code: "NoAuthorizer",
    hint: "Configure one: `agentcore-ts configure --discovery-url <url> --allowed-clients <client id>` (cognito setup values are the defaults).",
  });
}

/**
 * With --agent: that agent's authorizer (it must have one). Without: the project's `cognito` section;
 * when there is none, the only cached token set.
 */
export async function resolveTokenTarget(agentName: string | undefined, ctx: Pick<CommandContext, "cwd" | "env">): Promise<ResolvedTarget> {
  const cache = new TokenCache(ctx.env);
  const loaded = agentName ? await requireConfig(ctx.cwd, ctx.env) : await loadConfig(ctx.cwd, ctx.env);
  const cognito = loaded?.config.cognito;
  let agent: AgentConfig | undefined;
  let target: TokenTarget = { cognito };
  if (agentName && loaded) {
    agent = selectAgent(loaded, agentName);
    const authorizer = agent.authorizerConfiguration?.customJWTAuthorizer;
    if (!authorizer) throw noAuthorizerError(agent);
    target = { authorizer, cognito };
  }
  const entries = await cache.entries();
  const matches = matchCachedTokens(entries, target);
  if (!target.authorizer && !cognito && matches.length > 1) {
    throw new AgentcoreError(`The token cache holds tokens for ${matches.length} users and no .agentcore.json here says which to use.`, {
      code: "TokenAmbiguous",
      hint: "Run the command in the project directory, or pass --agent.",
    });
  }
  const entry = matches[0];
  const cognitoFits =
    cognito !== undefined &&
    (!target.authorizer || fitsAuthorizer({ ...cognito, issuer: issuerFromDiscoveryUrl(cognito.discoveryUrl) }, target.authorizer));
  const key = entry ? keyFromEntry(entry) : cognitoFits ? keyOf(cognito!) : undefined;
  return { target, agent, cognito, entry, key, cache };
}

function keyOf(cognito: CognitoConfig): TokenKey & { region: string; local: boolean } {
  return {
    userPoolId: cognito.userPoolId,
    clientId: cognito.clientId,
    username: cognito.username,
    region: cognito.region,
    local: cognito.local ?? false,
  };
}

function keyFromEntry(entry: CachedTokens): TokenKey & { region: string; local: boolean } {
  return { userPoolId: entry.userPoolId, clientId: entry.clientId, username: entry.username, region: entry.region, local: entry.local };
}
