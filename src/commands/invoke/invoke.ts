/**
 * `invoke`: send a payload to a deployed agent (or the local runtime of `launch --local`) and
 * stream its answer. An agent with a customJWTAuthorizer is always called with a bearer token
 * (never SigV4 as a silent fallback); an IAM agent is always signed with SigV4.
 */
import { serviceEndpoint } from "../../aws/clients.js";
import { maskToken } from "../../config/secrets.js";
import { AgentcoreError, type ErrorCode, UsageError } from "../../errors.js";
import { type DataPlaneResponse, InvokeHttpError, invokeWithBearer } from "../../invoke/bearer.js";
import { type InvokeErrorContext, invokeError, logsHint, streamError } from "../../invoke/errors.js";
import { cachedTokens, type LocalTarget } from "../../invoke/integrations.js";
import { readPayload } from "../../invoke/payload.js";
import { ResponseRenderer } from "../../invoke/render.js";
import { chooseSession } from "../../invoke/sessions.js";
import { invokeWithSigv4, localDataClient } from "../../invoke/sigv4.js";
import { type BearerToken, type CachedTokenQuery, chooseBearerToken, MIN_VALIDITY_SECONDS, noTokenError } from "../../invoke/token.js";
import type { Output } from "../../ui/output.js";
import { chooseAuth, resolveTarget, validateFlags } from "./target.js";
import type { InvokeContext, InvokeDeps, InvokeInputs, InvokeResult, Target } from "./types.js";

export type { InvokeDeps, InvokeInputs, InvokeResult } from "./types.js";

async function sendBearer(
  target: Target,
  ctx: InvokeContext,
  request: { qualifier: string; sessionId: string; body: string },
  token: BearerToken,
): Promise<DataPlaneResponse> {
  const endpoint = target.local
    ? target.local.gatewayUrl
    : serviceEndpoint("BEDROCK_AGENTCORE", `https://bedrock-agentcore.${target.region}.amazonaws.com`, ctx.env);
  ctx.output.debug(
    `POST ${endpoint}/runtimes/${encodeURIComponent(target.arn)}/invocations?qualifier=${request.qualifier} (bearer ${maskToken(token.token)} from ${token.source})`,
  );
  return invokeWithBearer({
    endpoint,
    arn: target.arn,
    qualifier: request.qualifier,
    token: token.token,
    sessionId: request.sessionId,
    body: request.body,
  });
}

/** The runtime record names a live process, but its gateway does not answer: the AWS endpoint hints would mislead. */
function localGatewayDown(local: LocalTarget, cause: AgentcoreError): AgentcoreError {
  return new AgentcoreError(`The local gateway of agent "${local.agentName}" at ${local.gatewayUrl} is not answering (${cause.message})`, {
    code: "LocalGatewayDown",
    hint: "Restart `agentcore-ts launch --local` (Ctrl-C the old one if it still runs), then invoke again.",
    cause,
  });
}

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
  const target = await resolveTarget(inputs, ctx, deps, qualifier);
  const auth = chooseAuth(inputs, target, ctx);
  const agentLabel = target.agentName ? `Agent "${target.agentName}"` : "This agent";

  let token: BearerToken | undefined;
  const tokenCache = deps.tokenCache ?? cachedTokens(() => ctx.aws(), ctx.output);
  const tokenQuery: CachedTokenQuery = {
    env: ctx.env,
    authorizer: target.authorizer ?? undefined,
    cognito: target.cognito,
    minValiditySeconds: MIN_VALIDITY_SECONDS,
  };
  if (auth === "bearer") {
    try {
      token = await chooseBearerToken({ flagToken: inputs.bearerToken?.trim(), cache: tokenCache, query: tokenQuery });
    } catch (error) {
      // Only "there is no token" becomes the no-token error; a Cognito failure while refreshing keeps its own message.
      if (error instanceof AgentcoreError && error.code === "NoAccessToken") throw noTokenError(agentLabel, error);
      throw error;
    }
    if (token.refreshed) ctx.output.debug("The cached token was about to expire: refreshed it first.");
  }
  if (auth === "sigv4" && !target.region) {
    throw new UsageError("No AWS region is set.", { hint: "Pass --region, or set AWS_REGION.", code: "NoRegion" });
  }

  const session = await chooseSession(ctx.env, target.sessionKey, { sessionId: inputs.sessionId, newSession: inputs.newSession });
  ctx.output.debug(
    `Session id: ${session.sessionId} (${session.source === "stored" ? "continued from the last invoke" : session.source === "new" ? "new session" : "--session-id"})`,
  );

  const errorContext: InvokeErrorContext = {
    auth,
    arn: target.arn,
    qualifier,
    authorizer: target.authorizer,
    agentName: target.agentName,
    region: target.region,
    ...(target.local ? { local: { logFile: target.local.logFile } } : {}),
    userId: inputs.userId,
    tokenSource: token?.source,
  };
  const request = { qualifier, sessionId: session.sessionId, body: payload.body };

  let response: DataPlaneResponse;
  try {
    if (auth === "bearer") {
      try {
        response = await sendBearer(target, ctx, request, token!);
      } catch (error) {
        // A cached token the service calls invalid: refresh once and retry (it may have been revoked or rotated).
        if (!(error instanceof InvokeHttpError) || error.failure.status !== 401 || token!.source !== "cache") throw error;
        ctx.output.debug("401 with the cached token: refreshing it and retrying once.");
        try {
          token = await tokenCache.forceRefresh(tokenQuery);
        } catch (refreshError) {
          const first = invokeError(error.failure, errorContext, error);
          throw new AgentcoreError(first.message, {
            // The wrapped error's code, ours or the service's: carried over unchanged.
            code: first.code as ErrorCode,
            hint: `${first.hint} Refreshing the cached token failed too: ${(refreshError as Error).message}`,
            cause: refreshError,
          });
        }
        errorContext.refreshedAfter401 = true;
        response = await sendBearer(target, ctx, request, token);
      }
    } else {
      const aws = (await ctx.aws()).with({ region: target.region });
      ctx.output.debug(
        `InvokeAgentRuntime ${target.arn} qualifier=${qualifier} (SigV4, region ${target.region}${target.local ? `, ${target.local.gatewayUrl}` : ""})`,
      );
      const client = target.local ? await localDataClient(aws, target.local.gatewayUrl) : await aws.data();
      response = await invokeWithSigv4(client, {
        arn: target.arn,
        qualifier,
        sessionId: session.sessionId,
        body: payload.body,
        userId: inputs.userId,
      });
    }
  } catch (error) {
    if (error instanceof InvokeHttpError) {
      const tokenFinding = await explainRefusal(error, token, target);
      throw invokeError(error.failure, { ...errorContext, attempts: error.attempts, tokenFinding }, error);
    }
    if (target.local && error instanceof AgentcoreError && error.code === "NetworkError") throw localGatewayDown(target.local, error);
    throw error;
  }

  ctx.output.debug(
    `HTTP ${response.status}, ${response.contentType || "no content type"}${response.attempts > 1 ? `, after ${response.attempts} attempts` : ""}`,
  );
  const collected = await render(response, ctx.output, inputs.raw === true, errorContext);
  if (response.sessionId && response.sessionId !== session.sessionId) {
    ctx.output.debug(`The runtime answered with session id ${response.sessionId}.`);
  }
  if (collected.streamError !== undefined) throw streamError(collected.streamError, errorContext);

  const result: InvokeResult = {
    agent: target.agentName ?? null,
    agentRuntimeArn: target.arn,
    qualifier,
    local: Boolean(target.local),
    auth,
    tokenSource: token?.source ?? null,
    sessionId: response.sessionId ?? session.sessionId,
    status: response.status,
    contentType: response.contentType,
    response: collected.response,
    ...(collected.events ? { events: collected.events } : {}),
  };
  return result;
}

/** For a 401/403 to a bearer token: what this tool finds wrong with the token, offline (loaded only then). */
async function explainRefusal(error: InvokeHttpError, token: BearerToken | undefined, target: Target): Promise<string | undefined> {
  const status = error.failure.status;
  if (!token || !target.authorizer || (status !== 401 && status !== 403)) return undefined;
  const { explainOffline } = await import("../../auth/authorizer.js");
  return explainOffline(token.token, target.authorizer);
}
