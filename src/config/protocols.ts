/**
 * The four server protocols of AgentCore Runtime (protocolConfiguration.serverProtocol) and the
 * container contract of each: the port the agent listens on, the path an invocation reaches, and
 * how its health can be told. Sources: the runtime service contract and the MCP, A2A and AGUI
 * protocol contracts (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-service-contract.html,
 * runtime-mcp-protocol-contract.html, runtime-a2a-protocol-contract.html, runtime-agui-protocol-contract.html).
 */

export const SERVER_PROTOCOLS = ["HTTP", "MCP", "A2A", "AGUI"] as const;
export type ServerProtocol = (typeof SERVER_PROTOCOLS)[number];

/** How the local runtime tells that an agent is up: GET /ping, an MCP JSON-RPC round trip, or the A2A agent card. */
export type HealthProbe = "ping" | "mcp" | "agent-card";

export interface ProtocolContract {
  /** The port the service sends invocations to inside the container. */
  port: number;
  /** Where POST /runtimes/{arn}/invocations lands inside the container. */
  invocationPath: string;
  health: HealthProbe;
  /** For help text and Dockerfile comments. */
  summary: string;
}

export const PROTOCOL_CONTRACTS: Readonly<Record<ServerProtocol, ProtocolContract>> = {
  HTTP: { port: 8080, invocationPath: "/invocations", health: "ping", summary: "POST /invocations, GET /ping" },
  MCP: { port: 8000, invocationPath: "/mcp", health: "mcp", summary: "Streamable HTTP on POST /mcp" },
  A2A: { port: 9000, invocationPath: "/", health: "agent-card", summary: "JSON-RPC on POST /, GET /.well-known/agent-card.json" },
  AGUI: { port: 8080, invocationPath: "/invocations", health: "ping", summary: "AG-UI events as SSE on POST /invocations, GET /ping" },
};

/** The A2A agent card's path on the agent (https://a2a-protocol.org/latest/specification/#agent-discovery-the-agent-card). */
export const AGENT_CARD_PATH = "/.well-known/agent-card.json";

export function protocolContract(protocol: ServerProtocol | undefined): ProtocolContract {
  return PROTOCOL_CONTRACTS[protocol ?? "HTTP"];
}

export function isServerProtocol(value: string): value is ServerProtocol {
  return (SERVER_PROTOCOLS as readonly string[]).includes(value);
}
