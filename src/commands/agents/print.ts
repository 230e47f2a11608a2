/** The human text of `agents`: one row per agent, the default marked. */
import type { Output } from "../../ui/output.js";
import type { AgentRow, AgentsResult } from "./types.js";

function localCell(row: AgentRow): string {
  return row.local.state === "running" ? `running ${row.local.gatewayUrl}` : "stopped";
}

function cloudCell(row: AgentRow): string {
  if (row.cloud.state === "not-launched") return "not launched";
  const version = row.cloud.runtimeVersion ? ` v${row.cloud.runtimeVersion}` : "";
  return `${row.cloud.runtimeId}${version}${row.cloud.region ? ` (${row.cloud.region})` : ""}`;
}

export function printAgents(result: AgentsResult, output: Output): void {
  const header = ["", "AGENT", "PROTOCOL", "AUTH", "DEPLOY", "LOCAL", "CLOUD (as last launched)"];
  const rows = result.agents.map((row) => [
    row.default ? "*" : "",
    row.name,
    row.protocol,
    row.auth === "IAM" ? "IAM" : "JWT",
    row.deploy,
    localCell(row),
    cloudCell(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  output.info(line(header));
  for (const row of rows) output.info(line(row));
  output.info("");
  output.info(
    result.defaultAgent
      ? `* the default agent: commands without --agent act on ${result.defaultAgent} (change it: agentcore-ts configure --set-default NAME)`
      : "No default agent: pass --agent NAME, or set one: agentcore-ts configure --set-default NAME",
  );
}
