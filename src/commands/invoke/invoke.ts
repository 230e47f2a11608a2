/**
 * `invoke`: send a payload to a deployed agent (or the local runtime of `launch --local`) and
 * stream its answer. How it is sent (bearer or SigV4, never a silent fallback) is send.ts's; MCP
 * agents have their own operation, mcp.ts (`invoke --mcp`).
 */
import { AgentcoreError } from "../../errors.js";
import type { DataPlaneResponse } from "../../invoke/bearer.js";
import { type InvokeErrorContext, logsHint, streamError } from "../../invoke/errors.js";
import { readPayload } from "../../invoke/payload.js";
import { ResponseRenderer } from "../../invoke/render.js";
import type { Output } from "../../ui/output.js";
import { prepareInvoke, sendInvocation } from "./send.js";
import { validateFlags } from "./target.js";
import type { InvokeContext, InvokeDeps, InvokeInputs, InvokeResult } from "./types.js";

export type { InvokeDeps, InvokeInputs, InvokeResult } from "./types.js";

async function render(response: DataPlaneResponse, output: Output, raw: boolean, errorContext: InvokeErrorContext) {
  const renderer = new ResponseRenderer(response.contentType, output, { raw });
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

export async function invoke(inputs: InvokeInputs, ctx: InvokeContext, deps: InvokeDeps = {}): Promise<InvokeResult> {
  validateFlags(inputs);
  const qualifier = inputs.qualifier ?? "DEFAULT";
  const payload = await readPayload(inputs.payload, ctx.stdin);
  if (payload.wrapped) ctx.output.debug('The payload is not JSON: sending it as {"prompt": <text>}.');
  const prepared = await prepareInvoke(inputs, ctx, deps, qualifier);
  const { target, auth, errorContext } = prepared;
  const response = await sendInvocation(prepared, ctx, payload.body);
  ctx.output.debug(
    `HTTP ${response.status}, ${response.contentType || "no content type"}${response.attempts > 1 ? `, after ${response.attempts} attempts` : ""}`,
  );
  const collected = await render(response, ctx.output, inputs.raw === true, errorContext);
  if (response.sessionId && response.sessionId !== prepared.sessionId) {
    ctx.output.debug(`The runtime answered with session id ${response.sessionId}.`);
  }
  if (collected.streamError !== undefined) throw streamError(collected.streamError, errorContext);

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
    response: collected.response,
    ...(collected.events ? { events: collected.events } : {}),
  };
  return result;
}
