/** The local gateway's options and handle (src/local/gateway.ts is the entry point), and what its request steps share. */
import type { Duplex } from "node:stream";
import type { JwtAuthorizer, JwtAuthorizerOptions } from "../../auth/authorizer.js";
import type { ServerProtocol } from "../../config/protocols.js";
import type { CustomJwtAuthorizer } from "../../config/schema.js";
import type { Readiness } from "../runtime/restart-hold.js";
import type { McpSessions } from "./mcp.js";
import type { Upstream } from "./upstream.js";

export interface GatewayAgent {
  name: string;
  /** The agent's base URL (http://127.0.0.1:PORT), or a function returning the current one. */
  upstream: string | (() => string);
  /**
   * Resolves when the agent can take a request: at once normally, later while it is being restarted
   * (src/local/runtime/restart-hold.ts). Absent: always ready.
   */
  whenReady?: () => Promise<Readiness>;
  /**
   * The agent refused or dropped a connection (a crash, usually): from now on whenReady() waits until it is known
   * whether the agent died (then for its restart) or is still there, so requests do not meet a dying agent. A
   * refused request is then sent again once; absent, it is sent again after a short fixed pause.
   */
  connectionLost?: () => void;
  /** null/undefined: IAM (SigV4) inbound auth. */
  authorizer?: CustomJwtAuthorizer | null;
  requestHeaderAllowlist?: readonly string[];
  /** The server protocol (default HTTP): which path of the agent an invocation is forwarded to. */
  protocol?: ServerProtocol;
  /** Other identifiers accepted in the path: the deployed runtime's ARN and id. */
  aliases?: readonly string[];
  /** Region used in the local ARN shown to users. */
  region?: string;
}

export interface GatewayLogEvent {
  method: string;
  path: string;
  status: number;
  ms: number;
  sessionId?: string;
  errorType?: string;
  /** A problem worth a warning (agent crashed mid-stream, response too large). */
  problem?: string;
  /** Why the gateway refused the request, in this tool's words (the answer holds only the service's message). */
  reason?: string;
  /** Who called (JWT agents, accepted requests): sub or username, client_id and scope of the verified token. */
  caller?: GatewayCaller;
  /**
   * A WebSocket handshake (GET /runtimes/{id}/ws): "opened" when the agent accepted it (status 101), "refused" when the
   * gateway or the agent did not, "closed" when an opened connection ended (`ms` is then how long it was open).
   */
  websocket?: "opened" | "refused" | "closed";
}

export interface GatewayOptions {
  agent: GatewayAgent;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  maxResponseBytes?: number;
  authorizerOptions?: JwtAuthorizerOptions;
  /** Called once per request when it ends. */
  log?: (event: GatewayLogEvent) => void;
  /** Where to look when the agent fails, e.g. "the agent log: /path/agent.log". */
  agentLogHint?: string;
}

export interface Gateway {
  url: string;
  port: number;
  /** The JWT authorizer (undefined for IAM agents). */
  authorizer?: JwtAuthorizer;
  /** WebSocket connections proxied to the agent right now. */
  openWebSockets(): number;
  close(): Promise<void>;
}

/** What every request step reads; fixed when the gateway starts. */
export interface GatewayContext {
  agent: GatewayAgent;
  /** Undefined for IAM agents. */
  authorizer?: JwtAuthorizer;
  /** The agent's request header allowlist, lower-case. */
  allowlist: readonly string[];
  maxResponseBytes: number;
  /** " Check <where>." appended to messages about the agent failing, or "". */
  agentLogHint: string;
  upstream: Upstream;
  /** The agent's path for invocations (its protocol's: /invocations, /mcp or /). */
  invocationPath: string;
  /** MCP agents: the Mcp-Session-Id stickiness table. */
  mcpSessions?: McpSessions;
  /** http://host:port of the gateway (known once it listens). */
  baseUrl(): string;
  /** The WebSocket connections being proxied, destroyed when the gateway closes. */
  tunnels: Set<Tunnel>;
}

/** One proxied WebSocket connection: the caller's socket and the agent's. */
export interface Tunnel {
  client: Duplex;
  agent: Duplex;
}

/** One request as the access log sees it; steps fill in what they learn. */
export interface RequestState {
  started: number;
  method: string;
  path: string;
  sessionId?: string;
  errorType?: string;
  problem?: string;
  reason?: string;
  /** Who called, from the verified token's claims (JWT agents). */
  caller?: GatewayCaller;
  websocket?: GatewayLogEvent["websocket"];
}

/** The caller of an accepted request as its verified token names it: identifiers only, never the token. */
export interface GatewayCaller {
  sub?: string;
  username?: string;
  clientId?: string;
  scope?: string;
}

/** A step's refusal: the service-style error answer to send. */
export interface Rejection {
  status: number;
  errorType: string;
  message: string;
  headers?: Record<string, string>;
  /** This tool's explanation, for the access log. */
  reason?: string;
}
