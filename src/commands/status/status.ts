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
import { invokeHint, logsCommand, loopbackDiscoveryUrl, loopbackIssuerHint, openCloudAgent, withAgent } from "../shared/cloud-agent.js";
import type { AuthorizationStatus, StatusInputs, StatusResult, TokenStatus } from "./types.js";

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
  const loopback = loopbackDiscoveryUrl(agent);
  if (loopback) {
    output.warn(
      `The discovery URL ${loopback} is on this machine: only \`launch --local\` can validate its tokens; \`launch\` refuses it. ${loopbackIssuerHint(agent)}`,
    );
  }

  let result: StatusResult;
  if (!deployment?.runtimeId) {
    result = {
      agent: agent.name,
      region,
      state: "not-launched",
      protocol: { serverProtocol: agent.protocol, source: "config", matchesConfig: true },
      authorization: authorizationOf(configured, "config", true),
      next: withAgent("agentcore-ts launch", inputs.agentName),
    };
  } else {
    const control = await aws.control();
    const runtime = await getRuntime(control, deployment.runtimeId);
    if (!runtime) {
      result = {
        agent: agent.name,
        region,
        state: "deleted",
        protocol: { serverProtocol: agent.protocol, source: "config", matchesConfig: true },
        authorization: authorizationOf(configured, "config", true),
        next: withAgent("agentcore-ts launch", inputs.agentName),
      };
      output.warn(
        `Runtime ${deployment.runtimeId} recorded in ${loaded.file} no longer exists in ${region} (deleted outside agentcore-ts).`,
      );
    } else {
      const endpoint = await getEndpoint(control, deployment.runtimeId);
      const deployedAuthorizer = runtime.authorizerConfiguration?.customJWTAuthorizer as CustomJwtAuthorizer | undefined;
      const matches = canonicalJson(deployedAuthorizer ?? null) === canonicalJson(configured ?? null);
      const codeConfiguration = runtime.agentRuntimeArtifact?.codeConfiguration;
      const imageUri = codeConfiguration
        ? undefined
        : (runtime.agentRuntimeArtifact?.containerConfiguration?.containerUri ?? deployment.imageUri);
      const s3 = codeConfiguration?.code?.s3;
      const code = codeConfiguration
        ? {
            runtime: codeConfiguration.runtime ?? "",
            s3Uri: s3 ? `s3://${s3.bucket}/${s3.prefix}` : "",
            ...(s3?.versionId ? { versionId: s3.versionId } : {}),
            entryPoint: codeConfiguration.entryPoint ?? [],
          }
        : undefined;
      // The service defaults an absent protocolConfiguration to HTTP.
      const deployedProtocol = runtime.protocolConfiguration?.serverProtocol ?? "HTTP";
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
        ...(code ? { code } : {}),
        protocol: { serverProtocol: deployedProtocol, source: "deployed", matchesConfig: deployedProtocol === agent.protocol },
        authorization: authorizationOf(deployedAuthorizer, "deployed", matches),
        logs: { logGroup: logGroupFor(deployment.runtimeId), command: logsCommand(agent.name) },
        next: live
          ? invokeHint(Boolean(agent.authorizerConfiguration), inputs.agentName)
          : withAgent("agentcore-ts status", inputs.agentName),
      };
      if (deployedProtocol !== agent.protocol) {
        output.warn(
          `The deployed server protocol ${deployedProtocol} differs from .agentcore.json (${agent.protocol}): run \`agentcore-ts launch\` to apply it.`,
        );
      }
      if (!matches) {
        output.warn("The deployed inbound auth differs from .agentcore.json: run `agentcore-ts launch` to apply the configured one.");
      }
    }
  }

  const token = await tokenStatus(configured, loaded.config, ctx.env, (m) => output.warn(m));
  if (token !== undefined) result.token = token;
  return result;
}
