/** What launch, status and destroy share: the selected agent, its config file and its AWS clients. */
import type { AwsClients } from "../../aws/clients.js";
import { isLoopbackHost } from "../../config/patterns.js";
import type { AgentConfig } from "../../config/schema.js";
import { type LoadedConfig, requireConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { UsageError } from "../../errors.js";

export interface CloudAgent {
  loaded: LoadedConfig;
  agent: AgentConfig;
  aws: AwsClients;
  region: string;
}

export async function openCloudAgent(ctx: Pick<CommandContext, "cwd" | "aws" | "env">, agentName: string | undefined): Promise<CloudAgent> {
  const loaded = await requireConfig(ctx.cwd, ctx.env);
  const agent = selectAgent(loaded, agentName);
  const aws = await ctx.aws(agent.region);
  // Fails with a usage error naming --region when none is known.
  const { region } = aws.config();
  const deployedIn = agent.deployment?.region;
  if (agent.deployment?.runtimeId && typeof deployedIn === "string" && deployedIn !== region) {
    // Otherwise the runtime would look deleted, and launch would create a second one.
    throw new UsageError(
      `Agent ${agent.name} is deployed in ${deployedIn} (runtime ${agent.deployment.runtimeId}), but the region is ${region}.`,
      {
        hint: `Pass --region ${deployedIn} (AWS_REGION and the profile's region come before .agentcore.json), or destroy it there first.`,
        code: "RegionMismatch",
      },
    );
  }
  return { loaded, agent, aws, region };
}

/** The command that follows the deployed agent's log group (`agentcore-ts logs`, src/commands/logs/). */
export function logsCommand(agentName: string): string {
  return `agentcore-ts logs --agent ${agentName} --follow`;
}

/** What to run next to call the agent, by its inbound auth (bearer: it has a customJWTAuthorizer); `--agent` kept when given. */
export function invokeHint(bearer: boolean, agentName?: string): string {
  return withAgent(bearer ? `agentcore-ts invoke '{"prompt": "Hello"}' --bearer` : `agentcore-ts invoke '{"prompt": "Hello"}'`, agentName);
}

/** A suggested command with the user's `--agent NAME` kept: a hint without it would act on the default agent. */
export function withAgent(command: string, agentName: string | undefined): string {
  return agentName ? `${command} --agent ${agentName}` : command;
}

/**
 * The discovery URL when it points at this machine (the embedded Cognito on 127.0.0.1, or any loopback
 * issuer): AgentCore Runtime fetches it from AWS, where 127.0.0.1 is the runtime's own host, so it can
 * never validate a token (docs/aws.md, "Local issuers are for launch --local only").
 */
export function loopbackDiscoveryUrl(agent: AgentConfig): string | undefined {
  const url = agent.authorizerConfiguration?.customJWTAuthorizer.discoveryUrl;
  if (!url) return undefined;
  try {
    return isLoopbackHost(new URL(url).hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** What to do about a loopback discovery URL: an issuer in AWS, then configure the agent with it. */
export function loopbackIssuerHint(agent: AgentConfig): string {
  return `Run \`agentcore-ts cognito setup --no-local\` (a user pool in AWS), then \`agentcore-ts configure --agent ${agent.name} --discovery-url <its discovery URL>\` (or configure another issuer); \`agentcore-ts launch --local\` runs this agent as it is.`;
}

/** launch refuses, before any AWS call, an agent whose tokens the deployed runtime could never validate. */
export function refuseLoopbackIssuer(agent: AgentConfig): void {
  const url = loopbackDiscoveryUrl(agent);
  if (!url) return;
  throw new UsageError(
    `Agent ${agent.name}'s discovery URL ${url} is on this machine (the embedded Cognito or another local issuer): AgentCore Runtime in AWS cannot reach it, so it could never validate a token.`,
    { hint: loopbackIssuerHint(agent), code: "LocalDiscoveryUrl" },
  );
}
