/**
 * An MCP server for AgentCore Runtime's MCP protocol contract: Streamable HTTP on 0.0.0.0:8000/mcp,
 * stateless (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-mcp-protocol-contract.html).
 * Stateless with the official SDK means no sessionIdGenerator, and a new server and transport for
 * every request: a stateless transport serves exactly one request. The platform adds an
 * Mcp-Session-Id to requests; a stateless transport neither issues nor checks one, so it is accepted.
 */
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { calculate, calculatorInput, weather, weatherInput, whoami } from "./tools.js";

const PORT = Number(process.env.PORT ?? 8000);
const HOST = process.env.HOST ?? "0.0.0.0";
const MCP_PATH = "/mcp";

const text = (value: unknown) => ({ type: "text" as const, text: typeof value === "string" ? value : JSON.stringify(value) });

function buildServer(): McpServer {
  const server = new McpServer({ name: "agentcore-ts-example-mcp", version: "0.1.0" });
  server.registerTool(
    "calculator",
    {
      title: "Calculator",
      description: "Apply one arithmetic operation (add, subtract, multiply, divide, power) to two numbers.",
      inputSchema: calculatorInput,
    },
    async (input) => {
      try {
        return { content: [text(String(calculate(input)))] };
      } catch (error) {
        return { content: [text((error as Error).message)], isError: true };
      }
    },
  );
  server.registerTool(
    "weather",
    { title: "Weather", description: "The (demo, deterministic) weather for a city.", inputSchema: weatherInput },
    async (input) => {
      const report = weather(input);
      return { content: [text(`${report.city}: ${report.condition}, ${report.temperatureC} °C`)], structuredContent: report };
    },
  );
  server.registerTool(
    "whoami",
    { title: "Who am I", description: "The caller's identity from the bearer token AgentCore verified." },
    async (extra) => {
      const header = extra.requestInfo?.headers.authorization;
      const caller = whoami(Array.isArray(header) ? header[0] : header);
      return { content: [text(caller)], structuredContent: { ...caller } };
    },
  );
  return server;
}

function methodNotAllowed(res: http.ServerResponse): void {
  // Stateless: no standalone SSE stream (GET) and no session to end (DELETE).
  res.writeHead(405, { "content-type": "application/json", allow: "POST" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null }));
}

const httpServer = http.createServer(async (req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== MCP_PATH) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: `Not found: this MCP server serves ${MCP_PATH}` }));
    return;
  }
  if (req.method !== "POST") return methodNotAllowed(res);
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res);
  } catch (error) {
    console.error("MCP request failed:", error);
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "Internal server error" }, id: null }));
    }
  }
});

httpServer.listen(PORT, HOST, () => console.log(`MCP server on http://${HOST}:${PORT}${MCP_PATH} (stateless Streamable HTTP)`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => httpServer.close(() => process.exit(0)));
