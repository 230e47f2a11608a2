/**
 * What every invoke transport shares: the preparation (target, auth mode, bearer token, runtime session,
 * error context) and sending one body with it. An agent with a customJWTAuthorizer is always called
 * with a bearer token (never SigV4 as a silent fallback); an IAM agent is always signed with SigV4.
 * A cached token the service answers 401 to is refreshed once and the body sent again.
 */

import path from "node:path";
import type { BedrockAgentCoreClient } from "@aws-sdk/client-bedrock-agentcore";
import { serviceEndpoint } from "../../aws/clients.js";
import { maskToken } from "../../config/secrets.js";
import { AgentcoreError, type ErrorCode, UsageError } from "../../errors.js";
import { type DataPlaneResponse, getAgentCardWithBearer, InvokeHttpError, invokeWithBearer } from "../../invoke/bearer.js";
import { type InvokeErrorContext, invokeError } from "../../invoke/errors.js";
import { headersNotAllowlisted, parseHeaderFlags } from "../../invoke/headers.js";
import { cachedTokens, type LocalTarget } from "../../invoke/integrations.js";
import type { McpHeaders } from "../../invoke/mcp.js";
import { chooseSession } from "../../invoke/sessions.js";
import {
  type BearerToken,
  type CachedTokenQuery,
  type CachedTokenSource,
  chooseBearerToken,
  MIN_VALIDITY_SECONDS,
  noTokenError,
  tokenSourceLabel,
} from "../../invoke/token.js";
import { readDotenvFile } from "../../util/dotenv-file.js";
import { chooseAuth, resolveTarget } from "./target.js";
import type { InvokeContext, InvokeDeps, InvokeInputs, Target } from "./types.js";

/** An invocation ready to send: who, how, with which token and session. */
export interface PreparedInvoke {
  target: Target;
  qualifier: string;
  auth: "bearer" | "sigv4";
  token?: BearerToken;
  tokenCache: CachedTokenSource;
  tokenQuery: CachedTokenQuery;
  sessionId: string;
  errorContext: InvokeErrorContext;
  userId?: string;
  /** -H headers, sent on every transport. */
  headers: Record<string, string>;
}

/** The token is also the COGNITO_ACCESS_TOKEN of the .env here (the copy --write-token-to-env wrote). */
async function sameAsDotenv(cwd: string, token: BearerToken): Promise<boolean> {
  if (token.source !== "env") return false;
  const text = await readDotenvFile(path.join(cwd, ".env")).catch(() => undefined);
  if (!text) return false;
  const { parse } = await import("dotenv");
  return parse(text).COGNITO_ACCESS_TOKEN?.trim() === token.token;
}

export async function prepareInvoke(
  inputs: InvokeInputs,
  ctx: InvokeContext,
  deps: InvokeDeps,
  qualifier: string,
): Promise<PreparedInvoke> {
  const headers = parseHeaderFlags(inputs.header);
  const target = await resolveTarget(inputs, ctx, deps, qualifier);
  const auth = chooseAuth(inputs, target, ctx);
  warnNotAllowlisted(headers, target, ctx);
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
    ...(token ? { tokenLabel: tokenSourceLabel(token.source, { sameAsDotenv: await sameAsDotenv(ctx.cwd, token) }) } : {}),
  };
  return {
    target,
    qualifier,
    auth,
    token,
    tokenCache,
    tokenQuery,
    sessionId: session.sessionId,
    errorContext,
    userId: inputs.userId,
    headers,
  };
}

/** A -H header the agent's requestHeaderAllowlist lacks is dropped by the runtime before the agent sees it. */
function warnNotAllowlisted(headers: Record<string, string>, target: Target, ctx: InvokeContext): void {
  if (Object.keys(headers).length === 0) return;
  const label = target.agentName ? `agent "${target.agentName}"` : "this agent";
  if (target.requestHeaderAllowlist === undefined) {
    ctx.output.warn(
      `The request header allowlist of ${label} is unknown here (no .agentcore.json entry for the ARN): headers not on it are dropped by the runtime.`,
    );
    return;
  }
  const missing = headersNotAllowlisted(headers, target.requestHeaderAllowlist);
  if (missing.length === 0) return;
  ctx.output.warn(
    `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not on the request header allowlist of ${label}: the runtime drops ${missing.length === 1 ? "it" : "them"} before the agent sees ${missing.length === 1 ? "it" : "them"}. Add ${missing.length === 1 ? "it" : "them"} with \`agentcore-ts configure --request-header-allowlist\` and launch again.`,
  );
}

function endpointOf(target: Target, ctx: InvokeContext): string {
  return target.local
    ? target.local.gatewayUrl
    : serviceEndpoint("BEDROCK_AGENTCORE", `https://bedrock-agentcore.${target.region}.amazonaws.com`, ctx.env);
}

/** The runtime record names a live process, but its gateway does not answer: the AWS endpoint hints would mislead. */
function localGatewayDown(local: LocalTarget, cause: AgentcoreError): AgentcoreError {
  return new AgentcoreError(`The local gateway of agent "${local.agentName}" at ${local.gatewayUrl} is not answering (${cause.message})`, {
    code: "LocalGatewayDown",
    hint: "Restart `agentcore-ts launch --local` (Ctrl-C the old one if it still runs), then invoke again.",
    cause,
  });
}

/** One data-plane call in both auth modes: `bearer` with the token, `sigv4` with the SDK client. */
interface DataPlaneCall<T> {
  bearer(endpoint: string, token: BearerToken): Promise<T>;
  sigv4(client: BedrockAgentCoreClient): Promise<T>;
}

/**
 * Runs `call` the prepared way; errors come back as the invoke error rows (message, hint, code). A cached
 * token the service calls invalid is refreshed once and the call retried (it may have been revoked or rotated).
 */
async function callDataPlane<T>(p: PreparedInvoke, ctx: InvokeContext, call: DataPlaneCall<T>): Promise<T> {
  const { target, errorContext } = p;
  try {
    if (p.auth === "bearer") {
      const endpoint = endpointOf(target, ctx);
      try {
        return await call.bearer(endpoint, p.token!);
      } catch (error) {
        if (
          !(error instanceof InvokeHttpError) ||
          error.failure.status !== 401 ||
          p.token!.source !== "cache" ||
          errorContext.refreshedAfter401
        ) {
          throw error;
        }
        ctx.output.debug("401 with the cached token: refreshing it and retrying once.");
        try {
          p.token = await p.tokenCache.forceRefresh(p.tokenQuery);
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
        return await call.bearer(endpoint, p.token);
      }
    }
    const aws = (await ctx.aws()).with({ region: target.region });
    // SigV4 (and the SDK behind it) loads only for agents without a customJWTAuthorizer.
    const { localDataClient } = await import("../../invoke/sigv4.js");
    const client = target.local ? await localDataClient(aws, target.local.gatewayUrl) : await aws.data();
    return await call.sigv4(client);
  } catch (error) {
    if (error instanceof InvokeHttpError) {
      const tokenFinding = await explainRefusal(error, p.token, target);
      throw invokeError(error.failure, { ...errorContext, attempts: error.attempts, tokenFinding }, error);
    }
    if (target.local && error instanceof AgentcoreError && error.code === "NetworkError") throw localGatewayDown(target.local, error);
    throw error;
  }
}

/**
 * Sends `body` the prepared way. `mcp`: the MCP headers of an MCP request; `headers`: more request headers
 * (A2A-Version for A2A v1.0 agents).
 */
export function sendInvocation(
  p: PreparedInvoke,
  ctx: InvokeContext,
  body: string,
  mcp?: McpHeaders,
  headers?: Record<string, string>,
): Promise<DataPlaneResponse> {
  const { target, qualifier } = p;
  // The -H headers first: the protocol's own (A2A-Version) win.
  const all = { ...p.headers, ...headers };
  const extra = { ...(mcp ? { mcp } : {}), ...(Object.keys(all).length > 0 ? { headers: all } : {}) };
  const via = target.local ? `, ${target.local.gatewayUrl}` : "";
  return callDataPlane(p, ctx, {
    bearer(endpoint, token) {
      ctx.output.debug(
        `POST ${endpoint}/runtimes/${encodeURIComponent(target.arn)}/invocations?qualifier=${qualifier} (bearer ${maskToken(token.token)} from ${token.source}${mcp ? `, ${mcp.method}` : ""})`,
      );
      return invokeWithBearer({ endpoint, arn: target.arn, qualifier, token: token.token, sessionId: p.sessionId, body, ...extra });
    },
    async sigv4(client) {
      const { invokeWithSigv4 } = await import("../../invoke/sigv4.js");
      ctx.output.debug(
        `InvokeAgentRuntime ${target.arn} qualifier=${qualifier} (SigV4, region ${target.region}${via}${mcp ? `, ${mcp.method}` : ""})`,
      );
      return invokeWithSigv4(client, { arn: target.arn, qualifier, sessionId: p.sessionId, body, userId: p.userId, ...extra });
    },
  });
}

/** The A2A agent card (GetAgentCard), the prepared way: SigV4 through the SDK, or a GET with the bearer token. */
export function fetchAgentCard(p: PreparedInvoke, ctx: InvokeContext): Promise<unknown> {
  const { target, qualifier } = p;
  return callDataPlane(p, ctx, {
    bearer(endpoint, token) {
      ctx.output.debug(
        `GET ${endpoint}/runtimes/${encodeURIComponent(target.arn)}/invocations/.well-known/agent-card.json?qualifier=${qualifier} (bearer ${maskToken(token.token)})`,
      );
      return getAgentCardWithBearer({ endpoint, arn: target.arn, qualifier, token: token.token, sessionId: p.sessionId });
    },
    async sigv4(client) {
      const { getAgentCardWithSigv4 } = await import("../../invoke/sigv4.js");
      ctx.output.debug(
        `GetAgentCard ${target.arn} qualifier=${qualifier} (SigV4, region ${target.region}${target.local ? `, ${target.local.gatewayUrl}` : ""})`,
      );
      return getAgentCardWithSigv4(client, { arn: target.arn, qualifier, sessionId: p.sessionId });
    },
  });
}

/** For a 401/403 to a bearer token: what this tool finds wrong with the token, offline (loaded only then). */
async function explainRefusal(error: InvokeHttpError, token: BearerToken | undefined, target: Target): Promise<string | undefined> {
  const status = error.failure.status;
  if (!token || !target.authorizer || (status !== 401 && status !== 403)) return undefined;
  const { explainOffline } = await import("../../auth/authorizer.js");
  return explainOffline(token.token, target.authorizer);
}
