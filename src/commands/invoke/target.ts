/**
 * Which runtime an invoke calls and how it authenticates: the flags checked, the target resolved from
 * --agent-arn, the local runtime record or .agentcore.json, and bearer or SigV4 chosen by its authorizer.
 */
import path from "node:path";
import { SERVER_PROTOCOLS } from "../../config/protocols.js";
import { loadConfig, requireConfig, selectAgent } from "../../config/store.js";
import { ConfigError, UsageError } from "../../errors.js";
import { readLocalTarget } from "../../invoke/integrations.js";
import { sessionKeyForAgent, sessionKeyForArn, validateSessionId } from "../../invoke/sessions.js";
import type { InvokeContext, InvokeDeps, InvokeInputs, InvokeProtocol, Target } from "./types.js";

const RUNTIME_ARN = /^arn:aws[a-z-]*:bedrock-agentcore:([a-z0-9-]+):(\d{12}):runtime\/([A-Za-z0-9_-]+)$/;
const QUALIFIER = /^[A-Za-z0-9_-]{1,100}$/;

function regionFromArn(arn: string): string | undefined {
  return RUNTIME_ARN.exec(arn)?.[1];
}

export function validateFlags(inputs: InvokeInputs): void {
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
  if (inputs.protocol !== undefined) {
    if (inputs.agentArn === undefined) {
      throw new UsageError("--protocol goes with --agent-arn: for a configured agent the protocol comes from .agentcore.json.", {
        hint: "Change it with `agentcore-ts configure --protocol <HTTP|MCP|A2A|AGUI>`, or drop --protocol.",
        code: "ConflictingFlags",
      });
    }
    if (!(PROTOCOLS as readonly string[]).includes(inputs.protocol.toUpperCase())) {
      throw new UsageError(`--protocol "${inputs.protocol}" is not a server protocol.`, {
        hint: `Pass one of ${PROTOCOLS.join(", ")}.`,
        code: "InvalidProtocol",
      });
    }
  }
}

const PROTOCOLS = SERVER_PROTOCOLS;

export async function resolveTarget(inputs: InvokeInputs, ctx: InvokeContext, deps: InvokeDeps, qualifier: string): Promise<Target> {
  if (inputs.agentArn !== undefined) {
    const arn = inputs.agentArn;
    // An ARN that a config in this project deployed: use what the config knows about its authorizer.
    let loaded: Awaited<ReturnType<typeof loadConfig>> | undefined;
    try {
      loaded = await loadConfig(ctx.cwd, ctx.env);
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
      ...(known ? { requestHeaderAllowlist: known.requestHeaderAllowlist ?? [] } : {}),
      cognito: loaded?.config.cognito,
      sessionKey: sessionKeyForArn(arn, qualifier),
      protocol: (inputs.protocol?.toUpperCase() as InvokeProtocol | undefined) ?? known?.protocol ?? "HTTP",
    };
  }
  const loaded = await requireConfig(ctx.cwd, ctx.env);
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
      requestHeaderAllowlist: agent.requestHeaderAllowlist ?? [],
      cognito: loaded.config.cognito,
      sessionKey: sessionKeyForAgent(loaded.file, agent.name, true),
      local,
      protocol: agent.protocol,
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
    requestHeaderAllowlist: agent.requestHeaderAllowlist ?? [],
    cognito: loaded.config.cognito,
    sessionKey: sessionKeyForAgent(loaded.file, agent.name),
    protocol: agent.protocol,
  };
}

function userIdWithBearer(): UsageError {
  return new UsageError("--user-id cannot be used with a bearer token.", {
    hint: "With OAuth, AgentCore takes the user identity from the token's sub claim and ignores X-Amzn-Bedrock-AgentCore-Runtime-User-Id. Drop --user-id.",
    code: "UserIdWithBearer",
  });
}

export function chooseAuth(inputs: InvokeInputs, target: Target, ctx: InvokeContext): "bearer" | "sigv4" {
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
