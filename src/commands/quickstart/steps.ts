/**
 * The quickstart's nine steps, as a table run in order by quickstart.ts. Each step runs the real
 * operation (the one `agentcore-ts <command>` runs) in-process in the project directory and reports
 * its facts; a step that does not get its expected result throws, which stops the run.
 */
import { tokenCachePath } from "../../auth/token-cache.js";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import { AgentcoreError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import {
  copyExampleAgent,
  exampleDir,
  LINKED_PACKAGES,
  linkExampleDependencies,
  MCP_LINKED_PACKAGES,
  QUICKSTART_AGENT,
} from "./project.js";
import { stopEverything } from "./stop.js";
import type { AnyStep, InvokeFacts, RunState, StepDefinition, StepReports } from "./types.js";

export const QUICKSTART_USER = "testuser";
export const QUICKSTART_PROMPT = "How is the weather now?";
export const PAYLOAD = JSON.stringify({ prompt: QUICKSTART_PROMPT });
const ENTRYPOINT = "src/agent.ts";
const MCP_ENTRYPOINT = "src/server.ts";
/** The MCP requests of steps 5, 6 and 8. */
const MCP_LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
const MCP_TOOL_INPUT = JSON.stringify({ operation: "multiply", a: 6, b: 7 });

/** Which example the run uses, by protocol. */
function exampleFor(state: RunState) {
  return state.protocol === "MCP"
    ? { source: exampleDir("typescript-mcp"), packages: MCP_LINKED_PACKAGES, entrypoint: MCP_ENTRYPOINT, protocol: "MCP" as const }
    : { source: exampleDir("typescript"), packages: LINKED_PACKAGES, entrypoint: ENTRYPOINT, protocol: "HTTP" as const };
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// 1. The embedded Cognito, held for the whole run so every operation finds it up.
const embeddedCognito: StepDefinition<"embedded-cognito"> = {
  name: "embedded-cognito",
  short: "embedded Cognito",
  title: "start the embedded Cognito (a local Amazon Cognito on loopback)",
  command: () => "agentcore-ts cognito local start",
  expected: () => "the embedded Cognito to run on its port",
  async run(state) {
    const { ensureEmbeddedCognito, embeddedCognitoDataDir } = await import("../../embedded-cognito/control.js");
    state.cognito = ensureEmbeddedCognito(state.opEnv);
    const held = await state.cognito;
    return { facts: { endpoint: held.endpoint, startedHere: held.startedHere }, dataDir: embeddedCognitoDataDir(state.opEnv) };
  },
};

// 2. cognito setup --local: pool, public app client, test user with a fresh password, login, tokens cached.
const cognitoSetup: StepDefinition<"cognito-setup"> = {
  name: "cognito-setup",
  short: "cognito setup --local",
  title: "create a user pool, an app client and a test user, and log in (cognito setup --local)",
  command: () => "agentcore-ts cognito setup --local",
  expected: () => `a user pool, an app client and user "${QUICKSTART_USER}" with an access token in the token cache`,
  async run(state, output) {
    const { cognitoSetup, defaultPoolName } = await import("../cognito/setup.js");
    const result = await cognitoSetup(
      { local: true, poolName: defaultPoolName(state.projectDir), username: QUICKSTART_USER, resetPassword: true },
      state.context(output),
    );
    state.setup = { discoveryUrl: result.discoveryUrl, clientId: result.clientId };
    return {
      facts: {
        userPoolId: result.userPool.id,
        userPool: result.userPool.status,
        clientId: result.clientId,
        appClient: result.appClient.status,
        username: result.user.username,
        user: result.user.status,
        discoveryUrl: result.discoveryUrl,
        accessTokenExpiresAt: result.accessToken.expiresAt,
        region: result.region,
      },
      poolName: result.userPool.name,
      clientName: result.appClient.name,
      tokenCache: tokenCachePath(state.env),
    };
  },
};

// 3. The example agent copied in, configured with a customJWTAuthorizer for that app client.
const configure: StepDefinition<"configure"> = {
  name: "configure",
  short: "configure",
  title: "configure the example agent with a JWT authorizer (configure)",
  command: (state) => {
    const setup = state.setup!; // set by step 2, like everything a step reads from the state
    const mcp = state.protocol === "MCP" ? " --protocol MCP" : "";
    return `agentcore-ts configure --entrypoint ${exampleFor(state).entrypoint}${mcp} --name ${QUICKSTART_AGENT} --discovery-url ${shellQuote(setup.discoveryUrl)} --allowed-clients ${setup.clientId} --request-header-allowlist Authorization`;
  },
  expected: (state) =>
    `agent "${QUICKSTART_AGENT}" in ${CONFIG_FILE_NAME} with a customJWTAuthorizer allowing client ${state.setup?.clientId}`,
  async run(state, output) {
    const setup = state.setup!;
    const example = exampleFor(state);
    const copied = await copyExampleAgent(state.projectDir, state.force, example.source);
    state.copied = copied;
    const links = await linkExampleDependencies(state.projectDir, example.packages);
    const { configure } = await import("../configure/configure.js");
    const { agent } = await configure(
      {
        entrypoint: example.entrypoint,
        protocol: example.protocol,
        name: QUICKSTART_AGENT,
        discoveryUrl: setup.discoveryUrl,
        allowedClients: setup.clientId,
        requestHeaderAllowlist: "Authorization",
      },
      state.context(output),
    );
    const jwt = agent.authorizerConfiguration?.customJWTAuthorizer;
    if (!jwt?.allowedClients?.includes(setup.clientId)) {
      throw new AgentcoreError(`the saved agent has no customJWTAuthorizer allowing client ${setup.clientId}`, {
        code: "ConfigureMismatch",
      });
    }
    return {
      facts: {
        agent: agent.name,
        entrypoint: agent.entrypoint,
        discoveryUrl: jwt.discoveryUrl,
        allowedClients: jwt.allowedClients,
        requestHeaderAllowlist: agent.requestHeaderAllowlist,
        files: { created: copied.created.length, unchanged: copied.unchanged.length, kept: copied.kept, restored: copied.restored.length },
        linkedPackages: links.linked,
      },
      projectDir: state.projectDir,
      copied,
      links,
    };
  },
};

// 4. launch --local: the agent as a process behind the gateway that enforces the authorizer.
const launchLocal: StepDefinition<"launch-local"> = {
  name: "launch-local",
  short: "launch --local",
  title: "run the agent behind a local gateway that enforces its JWT authorizer (launch --local)",
  command: () => "agentcore-ts launch --local",
  expected: () => "the agent to answer GET /ping behind the local gateway",
  async run(state, output) {
    // startLocalRuntime refuses a second runtime of the same agent (one already running from `launch --local`).
    const { startLocalRuntime } = await import("../../local/runtime.js");
    const { projectDir: cwd, agentEnv: env, port, agentPort, signal } = state;
    state.runtime = startLocalRuntime({ cwd, env, output, port, agentPort, mode: "process", signal });
    const rt = await state.runtime;
    state.invocationUrl = `${rt.gatewayUrl}/runtimes/${QUICKSTART_AGENT}/invocations?qualifier=DEFAULT`;
    const { gatewayUrl, agentUrl, agentRuntimeArn, agentPid, mode, auth, logFile } = rt;
    return { facts: { gatewayUrl, agentUrl, agentRuntimeArn, agentPid, mode, auth, logFile }, agentName: rt.agentName };
  },
};

// 5. No token: the gateway refuses before the agent sees anything.
const invokeWithoutToken: StepDefinition<"invoke-without-token"> = {
  name: "invoke-without-token",
  short: "call without a token",
  title: "call the agent without a token (expect 401)",
  command: (state) => `curl -i -X POST '${state.invocationUrl}' -H 'Content-Type: application/json' -d ${shellQuote(PAYLOAD)}`,
  expected: () => "HTTP 401 UnauthorizedException from the gateway",
  run: (state) => refusedWithoutToken(state, PAYLOAD),
};

/** POSTs `body` without a token: the gateway must answer 401 UnauthorizedException before the agent sees it. */
async function refusedWithoutToken(state: RunState, body: string): Promise<StepReports["invoke-without-token"]> {
  const response = await fetch(state.invocationUrl!, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const errorType = response.headers.get("x-amzn-errortype") ?? "";
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // not JSON: show it as it is
  }
  if (response.status !== 401 || !errorType.startsWith("UnauthorizedException")) {
    throw new AgentcoreError(`got HTTP ${response.status}${errorType ? ` ${errorType}` : ""}: ${message.slice(0, 200)}`, {
      code: "Unexpected401Result",
    });
  }
  const wwwAuthenticate = response.headers.get("www-authenticate") ?? "";
  return { facts: { status: response.status, errorType, message, wwwAuthenticate } };
}

/** invoke --local --bearer with the cached access token; the answer is streamed to `output`. */
async function invokeBearer(state: RunState, output: Output, newSession: boolean): Promise<{ facts: InvokeFacts }> {
  const { invoke } = await import("../invoke/invoke.js");
  const result = await invoke({ payload: PAYLOAD, local: true, bearer: true, newSession }, state.context(output));
  const text = typeof result.response === "string" ? result.response : JSON.stringify(result.response);
  const chunks = result.events?.length ?? 0;
  if (result.status !== 200 || !/weather/i.test(text) || chunks < 2) {
    throw new AgentcoreError(
      `got HTTP ${result.status} (${result.contentType || "no content type"}, ${chunks} event(s)): ${text.slice(0, 200)}`,
      {
        code: "UnexpectedAnswer",
      },
    );
  }
  const caller = /Called by user "([^"]+)"/.exec(text)?.[1] ?? null;
  const { status, contentType, tokenSource, sessionId } = result;
  return { facts: { status, contentType, events: chunks, tokenSource, sessionId, answer: text, caller } };
}

// 6. invoke --bearer: the cached access token, the answer streamed.
const invokeBearerFirst: StepDefinition<"invoke-bearer"> = {
  name: "invoke-bearer",
  short: "invoke --bearer",
  title: `call the agent with the bearer token: "${QUICKSTART_PROMPT}" (invoke --bearer)`,
  command: () => `agentcore-ts invoke --local --bearer ${shellQuote(PAYLOAD)}`,
  expected: () => "HTTP 200 with the agent's streamed answer about the weather",
  run: (state, output) => invokeBearer(state, output, true),
};

// 7. token refresh: REFRESH_TOKEN_AUTH with the cached refresh token (the in-memory password is the fallback).
const tokenRefresh: StepDefinition<"token-refresh"> = {
  name: "token-refresh",
  short: "token refresh",
  title: "renew the access token with the refresh token (token refresh)",
  command: () => "agentcore-ts token refresh",
  expected: () => "a new access token in the token cache",
  async run(state, output) {
    const { tokenRefresh } = await import("../token/refresh.js");
    const result = await tokenRefresh({}, state.context(output));
    return {
      facts: { method: result.method, username: result.username, expiresAt: result.expiresAt },
      expiresInSeconds: result.expiresInSeconds,
    };
  },
};

// 8. invoke --bearer again, with the renewed token, in the same session.
const invokeBearerAgain: StepDefinition<"invoke-bearer-again"> = {
  name: "invoke-bearer-again",
  short: "invoke --bearer again",
  title: "call the agent again with the renewed token (invoke --bearer)",
  command: () => `agentcore-ts invoke --local --bearer ${shellQuote(PAYLOAD)}`,
  expected: () => "HTTP 200 with the streamed answer, using the renewed token",
  run: (state, output) => invokeBearer(state, output, false),
};

// 9. Stop everything and check that nothing is left running.
const stop: StepDefinition<"stop"> = {
  name: "stop",
  short: "stop",
  title: "stop the gateway, the agent and the embedded Cognito",
  command: () => "same as Ctrl-C in the terminal running `agentcore-ts launch --local`; the embedded Cognito stops when no command uses it",
  expected: () => "the gateway, the agent and the embedded Cognito stopped, and the runtime record removed",
  async run(state) {
    const facts = await stopEverything(state);
    state.stopped = facts;
    const problems: string[] = [];
    if (facts.gatewayStopped === false) problems.push("the gateway still accepts connections");
    if (facts.agentStopped === false) problems.push("the agent is still running");
    if (facts.runtimeRecordRemoved === false) problems.push("the runtime record is still there");
    if (facts.embeddedCognito === "still running") problems.push("the embedded Cognito is still running");
    if (problems.length) throw new AgentcoreError(problems.join("; "), { code: "StopIncomplete" });
    return { facts: { ...facts } };
  },
};

// 5, 6 and 8 for an MCP server: tools/list without a token, then `invoke --mcp` with the cached token.
const mcpWithoutToken: StepDefinition<"invoke-without-token"> = {
  ...invokeWithoutToken,
  title: "list the MCP server's tools without a token (expect 401 pointing at the protected resource metadata)",
  command: (state) =>
    `curl -i -X POST '${state.invocationUrl}' -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d ${shellQuote(MCP_LIST)}`,
  expected: () => "HTTP 401 UnauthorizedException with WWW-Authenticate: Bearer resource_metadata=…",
  async run(state) {
    const report = await refusedWithoutToken(state, MCP_LIST);
    if (!/resource_metadata="[^"]+oauth-protected-resource/.test(report.facts.wwwAuthenticate)) {
      throw new AgentcoreError(`the 401 has no resource_metadata challenge: "${report.facts.wwwAuthenticate}"`, {
        code: "Unexpected401Result",
      });
    }
    return report;
  },
};

async function invokeMcpStep(state: RunState, output: Output, call: boolean): Promise<{ facts: InvokeFacts }> {
  const { invokeMcp } = await import("../invoke/mcp.js");
  const result = await invokeMcp(
    call
      ? { local: true, bearer: true, mcp: "call-tool", payload: "calculator", input: MCP_TOOL_INPUT }
      : { local: true, bearer: true, mcp: "list-tools", newSession: true },
    state.context(output),
  );
  const answer = call
    ? ((result.result as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n")
    : ((result.result as { tools?: { name: string }[] }).tools ?? []).map((t) => t.name).join(", ");
  if (call ? answer !== "42" : !answer.split(", ").includes("calculator")) {
    throw new AgentcoreError(`the MCP server answered: ${answer.slice(0, 200) || "(nothing)"}`, { code: "UnexpectedAnswer" });
  }
  output.write(`${answer}\n`);
  return {
    facts: {
      status: 200,
      contentType: "application/json",
      events: 0,
      tokenSource: result.tokenSource,
      sessionId: result.sessionId,
      answer,
      caller: null,
    },
  };
}

const mcpListTools: StepDefinition<"invoke-bearer"> = {
  name: "invoke-bearer",
  short: "invoke --mcp list-tools",
  title: "list the MCP server's tools with the bearer token (invoke --mcp list-tools)",
  command: () => "agentcore-ts invoke --local --mcp list-tools",
  expected: () => "the tools calculator, weather and whoami",
  run: (state, output) => invokeMcpStep(state, output, false),
};

const mcpCallTool: StepDefinition<"invoke-bearer-again"> = {
  name: "invoke-bearer-again",
  short: "invoke --mcp call-tool",
  title: "call the calculator tool with the renewed token (invoke --mcp call-tool)",
  command: () => `agentcore-ts invoke --local --mcp call-tool calculator --input ${shellQuote(MCP_TOOL_INPUT)}`,
  expected: () => 'the tool\'s answer "42"',
  run: (state, output) => invokeMcpStep(state, output, true),
};

export const STEPS: readonly AnyStep[] = [
  embeddedCognito,
  cognitoSetup,
  configure,
  launchLocal,
  invokeWithoutToken,
  invokeBearerFirst,
  tokenRefresh,
  invokeBearerAgain,
  stop,
];

/** The MCP workshop: the same table with the MCP server and MCP calls in steps 5, 6 and 8. */
export const MCP_STEPS: readonly AnyStep[] = [
  embeddedCognito,
  cognitoSetup,
  configure,
  launchLocal,
  mcpWithoutToken,
  mcpListTools,
  tokenRefresh,
  mcpCallTool,
  stop,
];

export function stepsFor(protocol: "HTTP" | "MCP"): readonly AnyStep[] {
  return protocol === "MCP" ? MCP_STEPS : STEPS;
}
