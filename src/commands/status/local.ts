/** `status --local`: where the local runtime(s) listen, whether the agent is healthy, where the log is. */
import type { CommandContext, CommandOutcome } from "../../core/context.js";
import { AgentcoreError } from "../../errors.js";
import { type LocalRuntimeRecord, listLocalRuntimes, readLocalRuntime } from "../../local/runtime-state.js";
import { compactDuration } from "../../ui/format.js";

export interface StatusLocalInputs {
  agentName?: string;
}

async function health(record: LocalRuntimeRecord): Promise<string> {
  try {
    const response = await fetch(`${record.agentUrl}/ping`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json().catch(() => ({}))) as { status?: string };
    return response.ok ? (body.status ?? `HTTP ${response.status}`) : `HTTP ${response.status}`;
  } catch (error) {
    return `unreachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`;
  }
}

function formatUptime(startedAt: string): string {
  return compactDuration(Math.max(0, Math.round((Date.now() - Date.parse(startedAt)) / 1000)));
}

/** `status --local`: where the local runtime(s) listen, whether the agent is healthy, where the log is. */
export async function statusLocal(inputs: StatusLocalInputs, ctx: Pick<CommandContext, "env" | "output">): Promise<CommandOutcome> {
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
  const runtimes = [];
  for (const record of records) {
    const agentHealth = await health(record);
    runtimes.push({ ...record, health: agentHealth });
    const out = ctx.output;
    out.info(`Local runtime: ${record.agentName} (${agentHealth})`);
    out.info(
      `  gateway:  ${record.gatewayUrl}  ${record.auth === "iam" ? "IAM (SigV4, not verified locally)" : "customJWTAuthorizer enforced"}`,
    );
    out.info(`  invoke:   POST ${record.gatewayUrl}/runtimes/${record.agentName}/invocations?qualifier=DEFAULT`);
    out.info(`  agent:    ${record.agentUrl}  (${record.mode}${record.agentPid ? `, pid ${record.agentPid}` : ""})`);
    out.info(`  log:      ${record.logFile}`);
    out.info(`  started:  ${record.startedAt} (up ${formatUptime(record.startedAt)}), launch pid ${record.pid}`);
  }
  ctx.output.result({ runtimes });
  return { exitCode: 0 };
}
