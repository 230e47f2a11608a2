/**
 * The SigV4 InvokeAgentRuntime call, through the SDK (it signs, retries throttling per the client
 * factory's settings and streams the body). For agents without an authorizer.
 */
import type { BedrockAgentCoreClient } from "@aws-sdk/client-bedrock-agentcore";
import type { AwsClients } from "../aws/clients.js";
import { fromAwsError } from "../errors.js";
import { ACCEPT, type DataPlaneResponse, InvokeHttpError } from "./bearer.js";
import type { McpHeaders } from "./mcp.js";

export interface Sigv4InvokeRequest {
  arn: string;
  qualifier: string;
  sessionId: string;
  body: string;
  userId?: string;
  /** MCP headers for MCP agents (the model's mcpSessionId, mcpProtocolVersion, mcpMethod, mcpName). */
  mcp?: McpHeaders;
  /** More request headers (A2A-Version for A2A v1.0 agents); signed like the others. */
  headers?: Record<string, string>;
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: unknown;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return value !== null && typeof value === "object" && Symbol.asyncIterator in value;
}

/** A service answer (it has an HTTP status) keeps its type and message for the invoke hints; anything else is an AWS error. */
function sdkFailure(error: unknown, operation: string): Error {
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && e.$response !== undefined) {
    return new InvokeHttpError({ status, errorType: e.name ?? `HTTP${status}`, message: e.message ?? "" }, e.$metadata?.attempts ?? 1);
  }
  return fromAwsError(error, operation);
}

export async function invokeWithSigv4(client: BedrockAgentCoreClient, request: Sigv4InvokeRequest): Promise<DataPlaneResponse> {
  const { InvokeAgentRuntimeCommand } = await import("@aws-sdk/client-bedrock-agentcore");
  try {
    const command = new InvokeAgentRuntimeCommand({
      agentRuntimeArn: request.arn,
      qualifier: request.qualifier,
      runtimeSessionId: request.sessionId,
      payload: new TextEncoder().encode(request.body),
      contentType: "application/json",
      accept: ACCEPT,
      ...(request.userId !== undefined ? { runtimeUserId: request.userId } : {}),
      ...(request.mcp
        ? {
            mcpMethod: request.mcp.method,
            ...(request.mcp.sessionId ? { mcpSessionId: request.mcp.sessionId } : {}),
            ...(request.mcp.protocolVersion ? { mcpProtocolVersion: request.mcp.protocolVersion } : {}),
            ...(request.mcp.name ? { mcpName: request.mcp.name } : {}),
          }
        : {}),
    });
    const extra = request.headers;
    if (extra && Object.keys(extra).length > 0) {
      // The model has no member for these headers: add them before signing (the "build" step precedes it).
      command.middlewareStack.add(
        (next) => async (args) => {
          const http = args.request as { headers?: Record<string, string> };
          if (http.headers) Object.assign(http.headers, extra);
          return next(args);
        },
        { step: "build", name: "agentcoreTsExtraHeaders" },
      );
    }
    const output = await client.send(command);
    const body = output.response;
    return {
      status: output.statusCode ?? output.$metadata.httpStatusCode ?? 200,
      contentType: output.contentType ?? "",
      sessionId: output.runtimeSessionId,
      ...(output.mcpSessionId ? { mcpSessionId: output.mcpSessionId } : {}),
      body: isAsyncIterable(body) ? body : (async function* empty() {})(),
      attempts: output.$metadata.attempts ?? 1,
    };
  } catch (error) {
    throw sdkFailure(error, "InvokeAgentRuntime");
  }
}

/** GetAgentCard through the SDK (SigV4): the A2A agent card of the runtime. */
export async function getAgentCardWithSigv4(
  client: BedrockAgentCoreClient,
  request: Pick<Sigv4InvokeRequest, "arn" | "qualifier" | "sessionId">,
): Promise<unknown> {
  const { GetAgentCardCommand } = await import("@aws-sdk/client-bedrock-agentcore");
  try {
    const output = await client.send(
      new GetAgentCardCommand({ agentRuntimeArn: request.arn, qualifier: request.qualifier, runtimeSessionId: request.sessionId }),
    );
    return output.agentCard;
  } catch (error) {
    throw sdkFailure(error, "GetAgentCard");
  }
}

/**
 * A data-plane client for the local gateway of `launch --local`. The gateway checks that a request
 * is SigV4-shaped but cannot verify signatures, so it is signed with placeholder credentials: the
 * offline workflow needs no AWS account, and real credentials never go to a local process.
 */
export async function localDataClient(aws: AwsClients, gatewayUrl: string): Promise<BedrockAgentCoreClient> {
  const { BedrockAgentCoreClient } = await import("@aws-sdk/client-bedrock-agentcore");
  return new BedrockAgentCoreClient({
    ...aws.config(),
    endpoint: gatewayUrl,
    credentials: { accessKeyId: "AKIDLOCALGATEWAY0000", secretAccessKey: "local-gateway-does-not-verify-signatures" },
  });
}
