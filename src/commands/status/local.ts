/** `status --local`: where the local runtime(s) listen, whether the agent is healthy, where the log is. */
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError } from "../../errors.js";
import { probeAgent } from "../../local/health.js";
import { type LocalRuntimeRecord, listLocalRuntimes, readLocalRuntime } from "../../local/runtime-state.js";
import type { LocalRuntimeStatus, StatusLocalInputs, StatusLocalResult } from "./types.js";

async function health(record: LocalRuntimeRecord): Promise<string> {
  try {
    // Probed as its protocol allows (GET /ping, an MCP ping, the A2A card); "Healthy"/"HealthyBusy", or "HTTP <status>".
    const answer = await probeAgent(record.agentUrl, record.protocol);
    if (!answer.healthy) return answer.detail.split(" ").slice(0, 2).join(" ");
    return answer.detail === "HealthyBusy" ? answer.detail : "Healthy";
  } catch (error) {
    return `unreachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`;
  }
}

/** `status --local`: where the local runtime(s) listen, whether the agent is healthy, where the log is. */
export async function statusLocal(inputs: StatusLocalInputs, ctx: Pick<CommandContext, "env">): Promise<StatusLocalResult> {
  const records =
    inputs.agentName !== undefined
      ? [await readLocalRuntime(ctx.env, inputs.agentName)].filter((r): r is LocalRuntimeRecord => r !== undefined)
      : await listLocalRuntimes(ctx.env);
  if (records.length === 0) {
    throw new AgentcoreError(
      inputs.agentName ? `No local runtime is running for agent "${inputs.agentName}".` : "No local runtime is running.",
      {
        code: "NoLocalRuntime",
        hint: "Start one with `agentcore-ts launch --local`.",
      },
    );
  }
  const runtimes: LocalRuntimeStatus[] = [];
  for (const record of records) runtimes.push({ ...record, health: await health(record) });
  return { runtimes };
}
