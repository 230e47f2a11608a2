/**
 * `invoke`: send a payload to a deployed agent (or the local runtime of `launch --local`) and
 * stream its answer. An agent with a customJWTAuthorizer is always called with a bearer token
 * (never SigV4 as a silent fallback); an IAM agent is always signed with SigV4.
 */
import path from "node:path";
import { serviceEndpoint } from "../../aws/clients.js";
import type { CognitoConfig, CustomJwtAuthorizer } from "../../config/schema.js";
import { maskToken } from "../../config/secrets.js";
import { loadConfig, requireConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError, ConfigError, type ErrorCode, UsageError } from "../../errors.js";
import { type DataPlaneResponse, InvokeHttpError, invokeWithBearer } from "../../invoke/bearer.js";
import { type InvokeErrorContext, invokeError, logsHint, streamError } from "../../invoke/errors.js";
import { defaultTokenCache, type LocalTarget, readLocalTarget } from "../../invoke/integrations.js";
import { type PayloadInput, readPayload } from "../../invoke/payload.js";
import { ResponseRenderer } from "../../invoke/render.js";
import { chooseSession, sessionKeyForAgent, sessionKeyForArn, validateSessionId } from "../../invoke/sessions.js";
import { invokeWithSigv4, localDataClient } from "../../invoke/sigv4.js";
import {
  type BearerToken,
  type CachedTokenQuery,
  chooseBearerToken,
  MIN_VALIDITY_SECONDS,
  noTokenError,
  type TokenCache,
} from "../../invoke/token.js";
import type { Output } from "../../ui/output.js";

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
}

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
  response: unknown;
  events?: unknown[];
}

/** Injected collaborators (tests); the defaults are the token cache and the local runtime records. */
export interface InvokeDeps {
  tokenCache?: TokenCache;
  readLocal?: (env: NodeJS.ProcessEnv, agentName: string) => Promise<LocalTarget>;
}

type InvokeContext = Pick<CommandContext, "cwd" | "env" | "globals" | "output" | "aws" | "region"> & { stdin: PayloadInput };

const RUNTIME_ARN = /^arn:aws[a-z-]*:bedrock-agentcore:([a-z0-9-]+):(\d{12}):runtime\/([A-Za-z0-9_-]+)$/;
const QUALIFIER = /^[A-Za-z0-9_-]{1,100}$/;

interface Target {
  agentName?: string;
  arn: string;
  region?: string;
  /** null: IAM agent; undefined: unknown (--agent-arn with no matching config). */
  authorizer?: CustomJwtAuthorizer | null;
  /** The project's `cognito` section, to prefer its user's cached token. */
  cognito?: CognitoConfig;
  sessionKey: string;
  local?: LocalTarget;
}

export function regionFromArn(arn: string): string | undefined {
  return RUNTIME_ARN.exec(arn)?.[1];
}

function validateFlags(inputs: InvokeInputs): void {
  if (inputs.agentArn !== undefined && inputs.agentName !== undefined) {
    throw new UsageError("Pass either --agent or --agent-arn, not both.", { code: "ConflictingFlags" });
  }
  if (inputs.agentArn !== undefined && inputs.local) {
    throw new UsageError("--local invokes the agent run by `launch --local`; it cannot be combined with --agent-arn.", {
      code: "ConflictingFlags",
    });
  }
  if (inputs.sessionId !== undefined && inputs.newSession) {
    throw new UsageError("Pass either --session-id or --new-session, not both.", { code: "ConflictingFlags" });
  }
  if (inputs.agentArn !== undefined && !RUNTIME_ARN.test(inputs.agentArn)) {
    throw new UsageError(`--agent-arn "${inputs.agentArn}" is not an AgentCore runtime ARN.`, {
      hint: "It looks like arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-AbCdEf1234 (`agentcore-ts status` prints it).",
      code: "InvalidArn",
    });
  }
  if (inputs.qualifier !== undefined && !QUALIFIER.test(inputs.qualifier)) {
    throw new UsageError(`--qualifier "${inputs.qualifier}" is not an endpoint name.`, {
      hint: "The default endpoint is DEFAULT.",
      code: "InvalidQualifier",
    });
  }
  if (inputs.bearerToken !== undefined && inputs.bearerToken.trim() === "") {
    throw new UsageError("--bearer-token is empty.", { code: "EmptyToken" });
  }
  if (inputs.bearerToken !== undefined && /^bearer\s/i.test(inputs.bearerToken.trim())) {
    throw new UsageError('--bearer-token takes the token itself, without the "Bearer " prefix.', { code: "InvalidToken" });
  }
  if (inputs.userId !== undefined && inputs.userId === "") throw new UsageError("--user-id is empty.", { code: "InvalidUserId" });
  if (inputs.sessionId !== undefined) validateSessionId(inputs.sessionId);
}

async function resolveTarget(inputs: InvokeInputs, ctx: InvokeContext, deps: InvokeDeps, qualifier: string): Promise<Target> {
  if (inputs.agentArn !== undefined) {
    const arn = inputs.agentArn;
    // An ARN that a config in this project deployed: use what the config knows about its authorizer.
    let loaded: Awaited<ReturnType<typeof loadConfig>> | undefined;
    try {
      loaded = await loadConfig(ctx.cwd);
    } catch (error) {
      ctx.output.debug(`Ignoring the config here for --agent-arn: ${(error as Error).message}`);
    }
    const known = loaded ? Object.values(loaded.config.agents).find((a) => a.deployment?.runtimeArn === arn) : undefined;
    if (known) ctx.output.debug(`${arn} is agent "${known.name}" in ${loaded!.file}`);
    return {
      agentName: known?.name,
      arn,
      region: ctx.globals.region ?? regionFromArn(arn),
      authorizer: known ? (known.authorizerConfiguration?.customJWTAuthorizer ?? null) : undefined,
      cognito: loaded?.config.cognito,
      sessionKey: sessionKeyForArn(arn, qualifier),
    };
  }
  const loaded = await requireConfig(ctx.cwd);
  const agent = selectAgent(loaded, inputs.agentName);
  const authorizer = agent.authorizerConfiguration?.customJWTAuthorizer ?? null;
  if (inputs.local) {
    const local = await (deps.readLocal ?? readLocalTarget)(ctx.env, agent.name);
    if (local.configFile && path.resolve(local.configFile) !== path.resolve(loaded.file)) {
      ctx.output.warn(
        `The local runtime of "${agent.name}" was started from ${local.configFile}, not ${loaded.file}: this invokes that project's agent. To run this one, stop that one (Ctrl-C) and run \`agentcore-ts launch --local\` here.`,
      );
    }
    if (local.auth && (local.auth === "jwt") !== Boolean(authorizer)) {
      ctx.output.warn(
        `The local runtime of "${agent.name}" was started with ${local.auth === "jwt" ? "a customJWTAuthorizer" : "IAM auth"}, but .agentcore.json now says ${authorizer ? "customJWTAuthorizer" : "IAM"}: restart \`agentcore-ts launch --local\` to pick up the change.`,
      );
    }
    return {
      agentName: agent.name,
      arn: local.agentRuntimeArn,
      region: local.region ?? (await ctx.region(agent.region)) ?? "us-east-1",
      authorizer,
      cognito: loaded.config.cognito,
      sessionKey: sessionKeyForAgent(loaded.file, agent.name, true),
      local,
    };
  }
  const arn = agent.deployment?.runtimeArn;
  if (!arn) {
    throw new ConfigError(`Agent "${agent.name}" is not deployed: ${loaded.file} has no runtime ARN for it.`, {
      hint: "Run `agentcore-ts launch` to deploy it, or `agentcore-ts launch --local` and `agentcore-ts invoke --local` to run it here.",
      code: "NotDeployed",
    });
  }
  return {
    agentName: agent.name,
    arn,
    region: ctx.globals.region ?? regionFromArn(arn) ?? (await ctx.region(agent.region)),
    authorizer,
    cognito: loaded.config.cognito,
    sessionKey: sessionKeyForAgent(loaded.file, agent.name),
  };
}

function userIdWithBearer(): UsageError {
  return new UsageError("--user-id cannot be used with a bearer token.", {
    hint: "With OAuth, AgentCore takes the user identity from the token's sub claim and ignores X-Amzn-Bedrock-AgentCore-Runtime-User-Id. Drop --user-id.",
    code: "UserIdWithBearer",
  });
}

function chooseAuth(inputs: InvokeInputs, target: Target, ctx: InvokeContext): "bearer" | "sigv4" {
  const label = target.agentName ? `Agent "${target.agentName}"` : "This agent";
  const tokenGiven = inputs.bearerToken !== undefined;
  if (target.authorizer) {
    if (inputs.userId !== undefined) throw userIdWithBearer();
    return "bearer";
  }
  if (target.authorizer === null) {
    if (tokenGiven || inputs.bearer) {
      throw new UsageError(
        `${label} uses IAM (SigV4) inbound auth: it has no customJWTAuthorizer, so it would refuse a bearer token (403 Authorization method mismatch). Nothing was sent.`,
        {
          hint: "Drop --bearer/--bearer-token to sign with your AWS credentials, or add an authorizer (`agentcore-ts configure`) and `agentcore-ts launch` again.",
          code: "BearerForIamAgent",
        },
      );
    }
    if (ctx.env.COGNITO_ACCESS_TOKEN) ctx.output.debug("COGNITO_ACCESS_TOKEN is set but this agent uses IAM (SigV4) auth: not sending it.");
    return "sigv4";
  }
  // --agent-arn with nothing known about the runtime: the user says which.
  const bearer = tokenGiven || inputs.bearer === true || Boolean(ctx.env.COGNITO_ACCESS_TOKEN?.trim());
  if (bearer && inputs.userId !== undefined) throw userIdWithBearer();
  return bearer ? "bearer" : "sigv4";
}

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
  const tokenCache = deps.tokenCache ?? defaultTokenCache(() => ctx.aws(), ctx.output);
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
    if (error instanceof InvokeHttpError) throw invokeError(error.failure, { ...errorContext, attempts: error.attempts }, error);
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
  ctx.output.result(result);
  return result;
}
