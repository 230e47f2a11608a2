/**
 * `invoke --mcp list-tools` and `invoke --mcp call-tool NAME --input JSON`: an MCP client session with
 * the agent over InvokeAgentRuntime (src/invoke/mcp.ts: initialize, notifications/initialized, then the
 * request, Mcp-Session-Id threaded, cold-start errors retried), sent with the agent's auth exactly as
 * every invoke is (send.ts). The result is the server's JSON-RPC result; print.ts renders it as text.
 */
import { withJsonDocument } from "../../core/document.js";
import { UsageError } from "../../errors.js";
import { McpSession } from "../../invoke/mcp.js";
import { prepareInvoke, sendInvocation } from "./send.js";
import { validateFlags } from "./target.js";
import type { InvokeContext, InvokeDeps, InvokeInputs, McpInvokeResult } from "./types.js";

export const MCP_OPERATIONS = ["list-tools", "call-tool"] as const;
export type McpOperation = (typeof MCP_OPERATIONS)[number];

function parseOperation(inputs: InvokeInputs): { operation: McpOperation; tool?: string; args: Record<string, unknown> } {
  const operation = inputs.mcp as McpOperation;
  if (!MCP_OPERATIONS.includes(operation)) {
    throw new UsageError(`--mcp "${inputs.mcp}" is not an MCP operation.`, {
      hint: "Use --mcp list-tools, or --mcp call-tool NAME --input '{\"arg\": 1}'.",
      code: "InvalidMcpOperation",
    });
  }
  if (operation === "list-tools") {
    if (inputs.payload !== undefined || inputs.input !== undefined) {
      throw new UsageError("--mcp list-tools takes no tool name or --input.", { code: "InvalidMcpOperation" });
    }
    return { operation, args: {} };
  }
  const tool = inputs.payload?.trim();
  if (!tool) {
    throw new UsageError("--mcp call-tool needs the tool's name.", {
      hint: 'agentcore-ts invoke --mcp call-tool calculator --input \'{"operation":"add","a":2,"b":3}\' (names: --mcp list-tools).',
      code: "InvalidMcpOperation",
    });
  }
  let args: unknown = {};
  if (inputs.input !== undefined) {
    try {
      args = JSON.parse(inputs.input);
    } catch (error) {
      throw new UsageError(`--input is not JSON: ${(error as Error).message}.`, {
        hint: 'Pass the tool\'s arguments as a JSON object, e.g. --input \'{"city":"Seattle"}\'.',
        code: "InvalidToolInput",
      });
    }
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new UsageError("--input must be a JSON object (the tool's arguments by name).", { code: "InvalidToolInput" });
  }
  return { operation, tool, args: args as Record<string, unknown> };
}

export interface McpInvokeDeps extends InvokeDeps {
  /** Cold-start retry pacing (tests). */
  retryDelayMs?: number;
}

export async function invokeMcp(inputs: InvokeInputs, ctx: InvokeContext, deps: McpInvokeDeps = {}): Promise<McpInvokeResult> {
  validateFlags(inputs);
  const { operation, tool, args } = parseOperation(inputs);
  const qualifier = inputs.qualifier ?? "DEFAULT";
  const prepared = await prepareInvoke(inputs, ctx, deps, qualifier);
  const session = new McpSession((body, headers) => sendInvocation(prepared, ctx, body, headers), {
    retryDelayMs: deps.retryDelayMs,
    onRetry: (error, attempt) => ctx.output.debug(`The MCP server is not ready (${error.message}); retrying (${attempt}).`),
  });
  const result =
    operation === "list-tools"
      ? await session.call("tools/list", {})
      : await session.call("tools/call", { name: tool, arguments: args }, tool);
  ctx.output.debug(`Mcp-Session-Id: ${session.sessionId ?? "(none)"}, protocol ${session.protocolVersion}`);
  const target = prepared.target;
  // --json prints the server's result as it came; the rest is for --verbose and callers (the quickstart).
  return withJsonDocument<McpInvokeResult>(
    {
      agent: target.agentName ?? null,
      agentRuntimeArn: target.arn,
      local: Boolean(target.local),
      auth: prepared.auth,
      tokenSource: prepared.token?.source ?? null,
      sessionId: prepared.sessionId,
      mcpSessionId: session.sessionId ?? null,
      operation,
      ...(tool ? { tool } : {}),
      result,
    },
    (r) => r.result,
  );
}

/** A tools/call result the server marked as failed (isError): the command exits 1 after printing it. */
export function toolFailed(result: McpInvokeResult): boolean {
  return result.operation === "call-tool" && (result.result as { isError?: unknown } | null)?.isError === true;
}
