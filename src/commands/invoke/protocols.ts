/**
 * One invoke per server protocol, over send.ts's calls: what is sent, how the answer is rendered
 * while it streams, and which failures the answer carries. HTTP posts the payload as it is; A2A reads the
 * agent card, then streams a user message (src/invoke/a2a.ts); AGUI streams a RunAgentInput (src/invoke/agui.ts).
 */
import { AgentcoreError } from "../../errors.js";
import type { DataPlaneResponse } from "../../invoke/bearer.js";
import { type InvokeErrorContext, invokeError, logsHint, streamError } from "../../invoke/errors.js";
import { ResponseRenderer } from "../../invoke/render.js";
import type { Output } from "../../ui/output.js";

/** How a protocol's invoke reaches the runtime: send.ts's calls, with the prepared auth and session. */
export interface DataPlaneChannel {
  /** POST /runtimes/{arn}/invocations with `body` (and `headers` besides auth and session). */
  invoke(body: string, headers?: Record<string, string>): Promise<DataPlaneResponse>;
  /** GET …/invocations/.well-known/agent-card.json (GetAgentCard): the A2A agent card. */
  agentCard(): Promise<unknown>;
}

export interface ProtocolAnswer {
  response: DataPlaneResponse;
  /** The answer as the --json document holds it. */
  collected: unknown;
  events?: unknown[];
}

interface Renderer<T> {
  push(chunk: Uint8Array): void;
  end(): T;
}

/** Feeds the response body to the renderer as it arrives; a broken stream is an error naming the agent's logs. */
async function drain<T>(response: DataPlaneResponse, renderer: Renderer<T>, errorContext: InvokeErrorContext): Promise<T> {
  try {
    for await (const chunk of response.body) renderer.push(chunk);
  } catch (error) {
    renderer.end();
    throw new AgentcoreError(`The response stream broke off: ${(error as Error).message}.`, {
      code: "StreamInterrupted",
      hint: `Retry; if it keeps happening, the agent may be crashing mid-answer. ${logsHint(errorContext)}`,
      cause: error,
    });
  }
  return renderer.end();
}

function debugResponse(output: Output, response: DataPlaneResponse): void {
  output.debug(
    `HTTP ${response.status}, ${response.contentType || "no content type"}${response.attempts > 1 ? `, after ${response.attempts} attempts` : ""}`,
  );
}

export async function invokeHttp(
  channel: DataPlaneChannel,
  body: string,
  output: Output,
  raw: boolean,
  errorContext: InvokeErrorContext,
): Promise<ProtocolAnswer> {
  const response = await channel.invoke(body);
  debugResponse(output, response);
  const collected = await drain(response, new ResponseRenderer(response.contentType, output, { raw }), errorContext);
  if (collected.streamError !== undefined) throw streamError(collected.streamError, errorContext);
  return { response, collected: collected.response, ...(collected.events ? { events: collected.events } : {}) };
}

export async function invokeA2a(
  channel: DataPlaneChannel,
  body: string,
  output: Output,
  errorContext: InvokeErrorContext,
  contextId?: string,
): Promise<ProtocolAnswer & { card: unknown; contextId?: string }> {
  // Each protocol's module loads only for its agents: `invoke` of an HTTP agent is the everyday call (bench/invoke.mjs).
  const { A2aRenderer, a2aGeneration, a2aRequest } = await import("../../invoke/a2a.js");
  const card = await channel.agentCard();
  const generation = a2aGeneration(card);
  const request = a2aRequest(body, generation, contextId);
  const name = card !== null && typeof card === "object" ? (card as { name?: unknown }).name : undefined;
  output.debug(
    `Agent card${typeof name === "string" ? ` of "${name}"` : ""}: A2A ${generation}, sending ${request.method || "the payload as given"}${contextId ? ` in context ${contextId}` : ""}.`,
  );
  const response = await channel.invoke(request.body, request.headers);
  debugResponse(output, response);
  const collected = await drain(response, new A2aRenderer(response.contentType, output), errorContext);
  const failure = collected.failure;
  if (failure?.kind === "service") throw invokeError(failure.failure, errorContext);
  if (failure?.kind === "rpc") {
    throw new AgentcoreError(`The A2A agent answered JSON-RPC error ${failure.code}: ${failure.message}`, {
      code: "A2ARpcError",
      hint:
        failure.code === -32601
          ? `The agent does not know the method ${request.method || "sent"}. ${logsHint(errorContext)}`
          : logsHint(errorContext),
      details: { rpcCode: failure.code },
    });
  }
  if (failure?.kind === "task") {
    throw new AgentcoreError(`The A2A task ended ${failure.state}: ${failure.message}`, {
      code: "A2ATaskFailed",
      hint: logsHint(errorContext),
      details: { state: failure.state },
    });
  }
  return {
    response,
    card,
    collected: collected.response,
    events: collected.events,
    ...(collected.contextId ? { contextId: collected.contextId } : {}),
  };
}

export async function invokeAgui(
  channel: DataPlaneChannel,
  body: string,
  threadId: string,
  output: Output,
  errorContext: InvokeErrorContext,
): Promise<ProtocolAnswer> {
  const { AguiRenderer, runAgentInput } = await import("../../invoke/agui.js");
  const response = await channel.invoke(runAgentInput(body, threadId));
  debugResponse(output, response);
  const collected = await drain(response, new AguiRenderer(response.contentType, output), errorContext);
  if (collected.runError) {
    const code = collected.runError.code;
    throw new AgentcoreError(`The AG-UI run failed${code ? ` (${code})` : ""}: ${collected.runError.message}`, {
      code: "AguiRunError",
      hint: logsHint(errorContext),
      details: code ? { runErrorCode: code } : undefined,
    });
  }
  return { response, collected: collected.response, events: collected.events };
}
