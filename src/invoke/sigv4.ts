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

export async function invokeWithSigv4(client: BedrockAgentCoreClient, request: Sigv4InvokeRequest): Promise<DataPlaneResponse> {
  const { InvokeAgentRuntimeCommand } = await import("@aws-sdk/client-bedrock-agentcore");
  try {
    const output = await client.send(
      new InvokeAgentRuntimeCommand({
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
      }),
    );
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
    const e = error as SdkError;
    const status = e.$metadata?.httpStatusCode;
    // A service answer (has an HTTP status): keep its type and message for the invoke hints.
    if (status !== undefined && e.$response !== undefined) {
      throw new InvokeHttpError({ status, errorType: e.name ?? `HTTP${status}`, message: e.message ?? "" }, e.$metadata?.attempts ?? 1);
    }
    throw fromAwsError(error, "InvokeAgentRuntime");
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
