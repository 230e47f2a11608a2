/**
 * `agentcore-ts status`: the runtime and its DEFAULT endpoint as AgentCore reports them, the inbound
 * auth actually deployed (and whether it still matches .agentcore.json), the cached token's expiry
 * and where the logs are. Never-launched and deleted-out-of-band runtimes are states, not errors.
 */
import { TokenCache } from "../../auth/token-cache.js";
import { matchCachedTokens } from "../../auth/tokens.js";
import { canonicalJson } from "../../aws/canonical.js";
import { DEFAULT_ENDPOINT, getEndpoint, getRuntime, logGroupFor } from "../../aws/runtime.js";
import type { AgentcoreConfig, CustomJwtAuthorizer } from "../../config/schema.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError } from "../../errors.js";
import { relativeTime } from "../../ui/format.js";
import { invokeHint, logsTailCommand, openCloudAgent } from "../shared/cloud-agent.js";

export interface StatusInputs {
  agentName?: string;
}

export interface AuthorizationStatus {
  mode: "customJWTAuthorizer" | "IAM";
  discoveryUrl?: string;
  allowedClients?: string[];
  allowedAudience?: string[];
  allowedScopes?: string[];
  /** Where this came from: the deployed runtime, or .agentcore.json when nothing is deployed. */
  source: "deployed" | "config";
  /** False when the deployed authorizer differs from .agentcore.json (a launch would change it). */
  matchesConfig: boolean;
}

export interface TokenStatus {
  username: string;
  clientId: string;
  expiresAt: string;
  expired: boolean;
}

export interface StatusResult {
  agent: string;
  region: string;
  state: "not-launched" | "deleted" | "deployed";
  runtime?: { id: string; arn: string; status: string; version: string; failureReason?: string; lastUpdatedAt?: string };
  endpoint?: { name: string; status: string; liveVersion?: string; targetVersion?: string; failureReason?: string } | null;
  imageUri?: string;
  authorization: AuthorizationStatus;
  /** The best matching cached access token (never the token itself); null when none matches; absent for IAM agents. */
  token?: TokenStatus | null;
  logs?: { logGroup: string; tailCommand: string };
  next?: string;
}

function authorizationOf(
  authorizer: CustomJwtAuthorizer | undefined,
  source: AuthorizationStatus["source"],
  matchesConfig: boolean,
): AuthorizationStatus {
  if (!authorizer) return { mode: "IAM", source, matchesConfig };
  return {
    mode: "customJWTAuthorizer",
    discoveryUrl: authorizer.discoveryUrl,
    ...(authorizer.allowedClients ? { allowedClients: authorizer.allowedClients } : {}),
    ...(authorizer.allowedAudience ? { allowedAudience: authorizer.allowedAudience } : {}),
    ...(authorizer.allowedScopes ? { allowedScopes: authorizer.allowedScopes } : {}),
    source,
    matchesConfig,
  };
}

/** The cached token that fits the authorizer (read-only; a broken cache is reported, not fatal). */
async function tokenStatus(
  authorizer: CustomJwtAuthorizer | undefined,
  config: AgentcoreConfig,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): Promise<TokenStatus | null | undefined> {
  if (!authorizer) return undefined;
  try {
    const [best] = matchCachedTokens(await new TokenCache(env).entries(), { authorizer, cognito: config.cognito });
    if (!best) return null;
    return {
      username: best.username,
      clientId: best.clientId,
      expiresAt: best.accessTokenExpiresAt,
      expired: Date.parse(best.accessTokenExpiresAt) <= Date.now(),
    };
  } catch (error) {
    warn(error instanceof AgentcoreError ? error.message : `The token cache could not be read: ${String(error)}`);
    return null;
  }
}

export async function status(inputs: StatusInputs, ctx: CommandContext): Promise<StatusResult> {
  const { output } = ctx;
  const { loaded, agent, aws, region } = await openCloudAgent(ctx, inputs.agentName);
  const configured = agent.authorizerConfiguration?.customJWTAuthorizer;
  const deployment = agent.deployment;
  const line = (label: string, value: string) => output.info(`  ${(label ? `${label}:` : "").padEnd(18)}${value}`);

  let result: StatusResult;
  if (!deployment?.runtimeId) {
    result = {
      agent: agent.name,
      region,
      state: "not-launched",
      authorization: authorizationOf(configured, "config", true),
      next: "agentcore-ts launch",
    };
    output.info(`Agent ${agent.name} is configured but has never been launched (region ${region}).`);
  } else {
    const control = await aws.control();
    const runtime = await getRuntime(control, deployment.runtimeId);
    if (!runtime) {
      result = {
        agent: agent.name,
        region,
        state: "deleted",
        authorization: authorizationOf(configured, "config", true),
        next: "agentcore-ts launch",
      };
      output.warn(
        `Runtime ${deployment.runtimeId} recorded in ${loaded.file} no longer exists in ${region} (deleted outside agentcore-ts).`,
      );
    } else {
      const endpoint = await getEndpoint(control, deployment.runtimeId);
      const deployedAuthorizer = runtime.authorizerConfiguration?.customJWTAuthorizer as CustomJwtAuthorizer | undefined;
      const matches = canonicalJson(deployedAuthorizer ?? null) === canonicalJson(configured ?? null);
      const imageUri = runtime.agentRuntimeArtifact?.containerConfiguration?.containerUri ?? deployment.imageUri;
      const live = endpoint?.status === "READY" && endpoint.liveVersion === runtime.agentRuntimeVersion;
      result = {
        agent: agent.name,
        region,
        state: "deployed",
        runtime: {
          id: runtime.agentRuntimeId ?? deployment.runtimeId,
          arn: runtime.agentRuntimeArn ?? "",
          status: runtime.status ?? "UNKNOWN",
          version: runtime.agentRuntimeVersion ?? "",
          ...(runtime.failureReason ? { failureReason: runtime.failureReason } : {}),
          ...(runtime.lastUpdatedAt ? { lastUpdatedAt: runtime.lastUpdatedAt.toISOString() } : {}),
        },
        endpoint: endpoint
          ? {
              name: DEFAULT_ENDPOINT,
              status: endpoint.status ?? "UNKNOWN",
              ...(endpoint.liveVersion ? { liveVersion: endpoint.liveVersion } : {}),
              ...(endpoint.targetVersion ? { targetVersion: endpoint.targetVersion } : {}),
              ...(endpoint.failureReason ? { failureReason: endpoint.failureReason } : {}),
            }
          : null,
        ...(imageUri ? { imageUri } : {}),
        authorization: authorizationOf(deployedAuthorizer, "deployed", matches),
        logs: { logGroup: logGroupFor(deployment.runtimeId), tailCommand: logsTailCommand(deployment.runtimeId, region) },
        next: live ? invokeHint(agent) : "agentcore-ts status",
      };
      output.info(`Agent ${agent.name} (${region}): ${live ? "ready" : "not ready"}`);
      const rt = result.runtime!;
      line("Runtime", `${rt.id}  ${rt.status}  version ${rt.version}${rt.failureReason ? `  (${rt.failureReason})` : ""}`);
      line("Runtime ARN", rt.arn);
      const ep = result.endpoint;
      line(
        "Endpoint",
        ep
          ? `${ep.name}  ${ep.status}  live version ${ep.liveVersion ?? "none"}${ep.targetVersion && ep.targetVersion !== ep.liveVersion ? `, target ${ep.targetVersion}` : ""}${ep.failureReason ? `  (${ep.failureReason})` : ""}`
          : `${DEFAULT_ENDPOINT}  not created yet`,
      );
      if (imageUri) line("Image", imageUri);
      if (!matches) {
        output.warn("The deployed inbound auth differs from .agentcore.json: run `agentcore-ts launch` to apply the configured one.");
      }
    }
  }

  const auth = result.authorization;
  line(
    "Authorization",
    auth.mode === "IAM" ? "IAM (SigV4)" : `customJWTAuthorizer (OAuth/JWT bearer)${auth.source === "config" ? ", as configured" : ""}`,
  );
  if (auth.mode === "customJWTAuthorizer") {
    line("  Discovery URL", auth.discoveryUrl ?? "");
    if (auth.allowedClients) line("  Clients", auth.allowedClients.join(", "));
    if (auth.allowedAudience) line("  Audience", auth.allowedAudience.join(", "));
    if (auth.allowedScopes) line("  Scopes", auth.allowedScopes.join(", "));
  }
  const token = await tokenStatus(configured, loaded.config, ctx.env, (m) => output.warn(m));
  if (token !== undefined) result.token = token;
  if (token === null) line("Cached token", "none for this authorizer (`agentcore-ts token refresh` or `agentcore-ts cognito setup`)");
  else if (token) {
    line(
      "Cached token",
      `user ${token.username}, ${token.expired ? "expired" : "expires"} ${token.expiresAt} (${relativeTime(token.expiresAt)})${token.expired ? "; `agentcore-ts token refresh` renews it" : ""}`,
    );
  }
  if (result.logs) {
    line("Logs", result.logs.logGroup);
    line("", result.logs.tailCommand);
  }
  if (result.next) line("Next", result.next);
  output.result(result);
  return result;
}
