/** What launch, status and destroy share: the selected agent, its config file and its AWS clients. */
import type { AwsClients } from "../aws/clients.js";
import { logGroupFor } from "../aws/runtime.js";
import type { CommandContext } from "../cli/context.js";
import type { AgentConfig } from "../config/schema.js";
import { requireConfig, selectAgent, type LoadedConfig } from "../config/store.js";

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
  return { loaded, agent, aws, region };
}

/** `aws logs tail` for the runtime's DEFAULT endpoint log group. */
export function logsTailCommand(runtimeId: string, region: string): string {
  return `aws logs tail ${logGroupFor(runtimeId)} --follow --region ${region}`;
}

/** What to run next to call the agent, by its inbound auth. */
export function invokeHint(agent: AgentConfig): string {
  return agent.authorizerConfiguration
    ? `agentcore-ts invoke '{"prompt": "Hello"}' --bearer`
    : `agentcore-ts invoke '{"prompt": "Hello"}'`;
}
