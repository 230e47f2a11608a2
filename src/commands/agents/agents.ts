/**
 * `agentcore-ts agents`: every agent in .agentcore.json with its protocol, inbound auth, deploy mode, its local
 * runtime (from the record `launch --local` keeps) and its cloud deployment as recorded by `launch`, and which
 * one is the default. Offline and fast: `status` is the command that asks AWS.
 */
import { requireConfig } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { readLocalRuntime } from "../../local/runtime-state.js";
import type { AgentRow, AgentsResult } from "./types.js";

export async function agents(ctx: Pick<CommandContext, "cwd" | "env">): Promise<AgentsResult> {
  const loaded = await requireConfig(ctx.cwd, ctx.env);
  const { config } = loaded;
  const names = Object.keys(config.agents);
  // The same rule as selectAgent: defaultAgent, else the only agent.
  const defaultAgent = config.defaultAgent ?? (names.length === 1 ? names[0]! : null);
  const rows = await Promise.all(
    names.map(async (name): Promise<AgentRow> => {
      const agent = config.agents[name]!;
      const record = await readLocalRuntime(ctx.env, name).catch(() => undefined);
      const deployment = agent.deployment;
      return {
        name,
        default: name === defaultAgent,
        protocol: agent.protocol ?? "HTTP",
        auth: agent.authorizerConfiguration?.customJWTAuthorizer ? "customJWTAuthorizer" : "IAM",
        deploy: (agent as { deploy?: "container" | "code" }).deploy ?? "container",
        local: record ? { state: "running", gatewayUrl: record.gatewayUrl, pid: record.pid } : { state: "stopped" },
        cloud: deployment?.runtimeId
          ? {
              state: "launched",
              runtimeId: deployment.runtimeId,
              ...(deployment.runtimeVersion ? { runtimeVersion: deployment.runtimeVersion } : {}),
              ...(typeof deployment.region === "string" ? { region: deployment.region } : agent.region ? { region: agent.region } : {}),
            }
          : { state: "not-launched" },
      };
    }),
  );
  return { configFile: loaded.file, defaultAgent, agents: rows };
}
