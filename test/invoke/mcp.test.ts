/** The MCP client session of `invoke --mcp` against a scripted `send`: headers threaded, SSE answers, JSON-RPC errors, cold-start retries. */
import { describe, expect, it } from "vitest";
import type { DataPlaneResponse } from "../../src/invoke/bearer.js";
import { jsonRpcResponse, type McpHeaders, McpRpcError, McpSession } from "../../src/invoke/mcp.js";

function answer(body: string, contentType = "application/json", mcpSessionId?: string, status = 200): DataPlaneResponse {
  return {
    status,
    contentType,
    attempts: 1,
    ...(mcpSessionId ? { mcpSessionId } : {}),
    body: (async function* () {
      yield new TextEncoder().encode(body);
    })(),
  };
}

describe("McpSession", () => {
  it("initializes, notifies, then calls, threading the returned Mcp-Session-Id and the negotiated version", async () => {
    const sent: { body: { method: string; id?: number }; headers: McpHeaders }[] = [];
    const session = new McpSession(async (body, headers) => {
      const message = JSON.parse(body) as { method: string; id?: number };
      sent.push({ body: message, headers });
      if (message.method === "initialize")
        return answer(
          JSON.stringify({ jsonrpc: "2.0", id: message.id, result: { protocolVersion: "2025-03-26", serverInfo: { name: "s" } } }),
          "application/json",
          "sid-1",
        );
      if (message.id === undefined) return answer("", "", undefined, 202);
      // An SSE answer: a notification first, then the response.
      return answer(
        `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":${message.id},"result":{"tools":[]}}\n\n`,
        "text/event-stream",
      );
    });
    expect(await session.call("tools/call", { name: "t" }, "t")).toEqual({ tools: [] });
    expect(sent.map((s) => [s.body.method, s.headers])).toEqual([
      ["initialize", { method: "initialize" }],
      ["notifications/initialized", { method: "notifications/initialized", sessionId: "sid-1", protocolVersion: "2025-03-26" }],
      ["tools/call", { method: "tools/call", sessionId: "sid-1", protocolVersion: "2025-03-26", name: "t" }],
    ]);
  });

  it("turns a JSON-RPC error into McpRpcError; retries only cold-start errors, the whole sequence", async () => {
    let initializes = 0;
    const session = new McpSession(
      async (body) => {
        const message = JSON.parse(body) as { method: string; id?: number };
        if (message.method === "initialize" && ++initializes === 1)
          return answer(
            JSON.stringify({ jsonrpc: "2.0", id: message.id, error: { code: -32000, message: "Session not initialized yet" } }),
          );
        if (message.method === "initialize") return answer(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} }));
        if (message.id === undefined) return answer("", "", undefined, 202);
        return answer(JSON.stringify({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } }));
      },
      { retryDelayMs: 1 },
    );
    const error = await session.call("prompts/list", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpRpcError);
    expect((error as McpRpcError).message).toBe("The MCP server answered prompts/list with error -32601: Method not found");
    expect((error as McpRpcError).code).toBe("McpError");
    expect(initializes).toBe(2);
  });

  it("finds the response by id in JSON, batches and SSE; none in an answer that is not JSON-RPC", () => {
    expect(
      jsonRpcResponse("application/json", '[{"jsonrpc":"2.0","id":2,"result":1},{"jsonrpc":"2.0","id":3,"result":2}]', 3),
    ).toMatchObject({
      result: 2,
    });
    expect(jsonRpcResponse("text/event-stream; charset=utf-8", 'data: {"jsonrpc":"2.0","id":1,"result":"x"}', 1)).toMatchObject({
      result: "x",
    });
    expect(jsonRpcResponse("text/html", "<html>", 1)).toBeUndefined();
  });
});
