/** The human text of `invoke`: none after the fact. */
import type { Output } from "../../ui/output.js";
import type { InvokeResult, McpInvokeResult } from "./types.js";

/**
 * The agent's answer was written through Output.write while it arrived (src/invoke/render.ts), ending
 * on a line of its own; session id, status and content type are --verbose lines during the call. So a
 * human run prints nothing more, and --json prints the result as its one document.
 */
export function printInvoke(_result: InvokeResult, _output: Output): void {}

interface McpTool {
  name?: string;
  description?: string;
  inputSchema?: { properties?: Record<string, unknown>; required?: string[] };
}

interface McpContent {
  type?: string;
  text?: string;
}

/** `invoke --mcp`: tools one per line with their arguments, or a tool's content (text as is, anything else as JSON). */
export function printMcpInvoke(result: McpInvokeResult, output: Output): void {
  if (result.operation === "list-tools") {
    const tools = ((result.result as { tools?: McpTool[] } | null)?.tools ?? []).filter((t) => typeof t.name === "string");
    if (tools.length === 0) output.info("The server lists no tools.");
    const width = Math.max(0, ...tools.map((t) => t.name!.length));
    for (const tool of tools) {
      const required = new Set(tool.inputSchema?.required ?? []);
      const args = Object.keys(tool.inputSchema?.properties ?? {}).map((name) => (required.has(name) ? name : `${name}?`));
      output.info(`${tool.name!.padEnd(width)}  ${tool.description ?? ""}${args.length ? `  (${args.join(", ")})` : ""}`.trimEnd());
    }
    return;
  }
  const answer = (result.result ?? {}) as { content?: McpContent[]; structuredContent?: unknown; isError?: boolean };
  const content = answer.content ?? [];
  for (const item of content) output.info(item.type === "text" && typeof item.text === "string" ? item.text : JSON.stringify(item));
  if (content.length === 0 && answer.structuredContent !== undefined) output.info(JSON.stringify(answer.structuredContent, null, 2));
  if (answer.isError) output.warn(`The tool ${result.tool} reported an error (isError).`);
}
