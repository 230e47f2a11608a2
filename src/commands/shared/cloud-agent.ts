/** What launch, status and destroy share: the selected agent, its config file and its AWS clients. */
import type { AwsClients } from "../../aws/clients.js";
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

export async function openCloudAgent(ctx: Pick<CommandContext, "cwd" | "aws">, agentName: string | undefined): Promise<CloudAgent> {
  const loaded = await requireConfig(ctx.cwd);
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

/** What to run next to call the agent, by its inbound auth (bearer: it has a customJWTAuthorizer). */
export function invokeHint(bearer: boolean): string {
  return bearer ? `agentcore-ts invoke '{"prompt": "Hello"}' --bearer` : `agentcore-ts invoke '{"prompt": "Hello"}'`;
}
