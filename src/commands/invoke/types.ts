/** The inputs, collaborators and result of `invoke`. */
import type { ServerProtocol } from "../../config/protocols.js";
import type { CognitoConfig, CustomJwtAuthorizer } from "../../config/schema.js";
import type { CommandContext } from "../../core/context.js";
import type { LocalTarget } from "../../invoke/integrations.js";
import type { PayloadInput } from "../../invoke/payload.js";
import type { BearerToken, CachedTokenSource } from "../../invoke/token.js";

export interface InvokeInputs {
  payload?: string;
  agentName?: string;
  agentArn?: string;
  bearer?: boolean;
  bearerToken?: string;
  sessionId?: string;
  newSession?: boolean;
  qualifier?: string;
  userId?: string;
  raw?: boolean;
  local?: boolean;
  /** MCP agents: list-tools or call-tool (the tool's name is then `payload`). */
  mcp?: string;
  /** --mcp call-tool: the tool's arguments, a JSON object. */
  input?: string;
  /** With --agent-arn: the runtime's server protocol (else the agent's in .agentcore.json, else HTTP). */
  protocol?: string;
  /** -H 'Name: Value', repeatable: extra request headers (src/invoke/headers.ts). */
  header?: string[];
}

/** protocolConfiguration.serverProtocol. */
export type InvokeProtocol = ServerProtocol;

/**
 * The --json document. The answer itself was streamed through Output.write as it arrived; `response`
 * (and `events` for a server-sent event stream) hold it again, whole, for --json and for callers
 * such as the quickstart that check what the agent said.
 */
export interface InvokeResult {
  agent: string | null;
  agentRuntimeArn: string;
  qualifier: string;
  local: boolean;
  auth: "bearer" | "sigv4";
  tokenSource: BearerToken["source"] | null;
  sessionId: string;
  status: number;
  contentType: string;
  /** The server protocol spoken: HTTP posts the payload as is; A2A and AGUI wrap it in their protocol. */
  protocol: InvokeProtocol;
  /** A2A: the conversation the agent answered in; the next invoke in this session continues it. */
  contextId?: string;
  /** HTTP: the parsed JSON or joined text deltas; A2A: the artifact text; AGUI: the joined text deltas. */
  response: unknown;
  events?: unknown[];
}

/** What `invoke --mcp` did; --json prints `result`, the server's JSON-RPC result, as it came. */
export interface McpInvokeResult {
  agent: string | null;
  agentRuntimeArn: string;
  local: boolean;
  auth: "bearer" | "sigv4";
  tokenSource: BearerToken["source"] | null;
  /** The runtime session id sent. */
  sessionId: string;
  /** The Mcp-Session-Id the runtime returned. */
  mcpSessionId: string | null;
  operation: "list-tools" | "call-tool";
  tool?: string;
  result: unknown;
}

/** Injected collaborators (tests); the defaults are the token cache and the local runtime records. */
export interface InvokeDeps {
  tokenCache?: CachedTokenSource;
  readLocal?: (env: NodeJS.ProcessEnv, agentName: string) => Promise<LocalTarget>;
}

export type InvokeContext = Pick<CommandContext, "cwd" | "env" | "globals" | "output" | "aws" | "region"> & { stdin: PayloadInput };

/** The runtime an invoke calls and what is known about its inbound auth. */
export interface Target {
  agentName?: string;
  arn: string;
  region?: string;
  /** null: IAM agent; undefined: unknown (--agent-arn with no matching config). */
  authorizer?: CustomJwtAuthorizer | null;
  /** The project's `cognito` section, to prefer its user's cached token. */
  cognito?: CognitoConfig;
  sessionKey: string;
  local?: LocalTarget;
  /** The server protocol (HTTP when unknown). */
  protocol?: InvokeProtocol;
  /** The agent's requestHeaderAllowlist (undefined: unknown, --agent-arn with no matching config). */
  requestHeaderAllowlist?: readonly string[];
}
