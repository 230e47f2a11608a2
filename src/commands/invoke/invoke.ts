/**
 * `invoke`: send a payload to a deployed agent (or the local runtime of `launch --local`) and
 * stream its answer. How it is sent (bearer or SigV4, never a silent fallback) is send.ts's; what is
 * sent and how the answer is read is the agent protocol's (protocols.ts: HTTP, A2A, AGUI); MCP agents
 * have their own operation, mcp.ts (`invoke --mcp`).
 */
import { readPayload } from "../../invoke/payload.js";
import { storeA2aContext, storedA2aContext } from "../../invoke/sessions.js";
import { type DataPlaneChannel, invokeA2a, invokeAgui, invokeHttp, type ProtocolAnswer } from "./protocols.js";
import { fetchAgentCard, prepareInvoke, sendInvocation } from "./send.js";
import { validateFlags } from "./target.js";
import type { InvokeContext, InvokeDeps, InvokeInputs, InvokeResult } from "./types.js";

export type { InvokeDeps, InvokeInputs, InvokeResult } from "./types.js";

export async function invoke(inputs: InvokeInputs, ctx: InvokeContext, deps: InvokeDeps = {}): Promise<InvokeResult> {
  validateFlags(inputs);
  const qualifier = inputs.qualifier ?? "DEFAULT";
  const payload = await readPayload(inputs.payload, ctx.stdin);
  if (payload.wrapped) ctx.output.debug('The payload is not JSON: sending it as {"prompt": <text>}.');
  const prepared = await prepareInvoke(inputs, ctx, deps, qualifier);
  const { target, auth, errorContext } = prepared;
  const channel: DataPlaneChannel = {
    invoke: (body, headers) => sendInvocation(prepared, ctx, body, undefined, headers),
    agentCard: () => fetchAgentCard(prepared, ctx),
  };
  const protocol = target.protocol ?? "HTTP";
  let answer: ProtocolAnswer;
  let contextId: string | undefined;
  switch (protocol) {
    case "A2A": {
      // The session continues the agent's conversation too: its contextId goes with the next message.
      const continued = await storedA2aContext(ctx.env, target.sessionKey, prepared.sessionId);
      const a2a = await invokeA2a(channel, payload.body, ctx.output, errorContext, continued);
      contextId = a2a.contextId;
      if (contextId && contextId !== continued) await storeA2aContext(ctx.env, target.sessionKey, prepared.sessionId, contextId);
      answer = a2a;
      break;
    }
    case "AGUI":
      // The runtime session id is the AG-UI thread: continuing the session continues the thread.
      answer = await invokeAgui(channel, payload.body, prepared.sessionId, ctx.output, errorContext);
      break;
    default:
      // HTTP, and MCP agents without --mcp: the payload as it is.
      answer = await invokeHttp(channel, payload.body, ctx.output, inputs.raw === true, errorContext);
  }
  const { response } = answer;
  if (response.sessionId && response.sessionId !== prepared.sessionId) {
    ctx.output.debug(`The runtime answered with session id ${response.sessionId}.`);
  }

  const result: InvokeResult = {
    agent: target.agentName ?? null,
    agentRuntimeArn: target.arn,
    qualifier,
    local: Boolean(target.local),
    auth,
    tokenSource: prepared.token?.source ?? null,
    sessionId: response.sessionId ?? prepared.sessionId,
    status: response.status,
    contentType: response.contentType,
    protocol,
    ...(contextId ? { contextId } : {}),
    response: answer.collected,
    ...(answer.events ? { events: answer.events } : {}),
  };
  return result;
}
