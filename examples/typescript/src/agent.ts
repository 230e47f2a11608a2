/**
 * The Inbound Auth workshop's agent (a calculator + a weather tool on a Bedrock model), in TypeScript on the
 * `bedrock-agentcore` runtime SDK. It implements the AgentCore Runtime HTTP contract:
 *   GET  /ping         -> 200 {"status":"Healthy","time_of_last_update":<epoch s>}
 *   POST /invocations  {"prompt":"..."} -> SSE text deltas (Accept: text/event-stream) or one JSON document.
 *   GET  /ws           a WebSocket echo that names its runtime session (src/websocket.ts).
 *
 * Start:  node --import tsx src/agent.ts      (or: npm run build && npm start)
 * Env:    PORT (8080), HOST (0.0.0.0), AGENT_OFFLINE=1 (no AWS), BEDROCK_MODEL_ID, AWS_REGION,
 *         AGENT_STREAM_DELAY_MS (offline pause between chunks, 20), AGENT_TEST_HOOKS=1 (hooks when online).
 */
import { BedrockAgentCoreApp, type ContentTypeParserConfig, type RequestContext } from "bedrock-agentcore/runtime";
import { z } from "zod";
import type { BedrockAgent } from "./bedrock.js";
import { callerFromHeaders, describeCaller } from "./caller.js";
import { offlineAnswer, streamText } from "./offline.js";
import { echoOverWebSocket } from "./websocket.js";

type Mode = { name: "offline"; reason: string } | { name: "online"; agent: BedrockAgent };

const env = process.env;
const isSet = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

function log(message: string): void {
  process.stderr.write(`[agent] ${message}\n`);
}

/** Online when AWS credentials resolve and AGENT_OFFLINE is not set; the AWS SDK is loaded only then. */
async function selectMode(): Promise<Mode> {
  if (isSet(env.AGENT_OFFLINE)) return { name: "offline", reason: "AGENT_OFFLINE is set" };
  const { createBedrockAgent } = await import("./bedrock.js");
  const agent = createBedrockAgent(env);
  if (!(await agent.hasCredentials())) return { name: "offline", reason: "no AWS credentials found" };
  return { name: "online", agent };
}

// Resolved in the background so /ping answers Healthy at once; the first invocation waits for it.
const modePromise = selectMode().then((mode) => {
  log(
    mode.name === "online"
      ? `online: Bedrock model ${mode.agent.modelId}`
      : `offline (${mode.reason}): deterministic answers, no AWS calls`,
  );
  return mode;
});

// ----------------------------------------------------------------------------------------------------------
// SSE or JSON. The SDK streams only when the client's Accept contains text/event-stream, and answers 406 when a
// handler returns an async generator to any other client. Handlers never see the Accept header (context.headers
// keeps only Authorization and custom headers), so this JSON body parser - an SDK config option - notes it.
// ----------------------------------------------------------------------------------------------------------

const eventStreamBodies = new WeakSet<object>();

const jsonBodyNotingAccept: ContentTypeParserConfig = {
  contentType: "application/json",
  parseAs: "string",
  // Parameters typed by hand: the SDK's parser type is a union of Fastify signatures, which TS cannot infer from.
  parser: async (request: { headers: { accept?: string } }, body: string | Buffer) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(body));
    } catch (error) {
      throw Object.assign(new Error(`Request body is not valid JSON: ${(error as Error).message}`), { statusCode: 400 });
    }
    // Same test as @fastify/sse (case-sensitive `includes`), so both agree on when a response is SSE.
    if (typeof parsed === "object" && parsed !== null && (request.headers.accept ?? "").includes("text/event-stream")) {
      eventStreamBodies.add(parsed);
    }
    return parsed;
  },
};

const InvocationRequest = z.preprocess(
  (body) => (typeof body === "object" && body !== null ? { ...body, stream: eventStreamBodies.has(body) } : body),
  z.object({ prompt: z.string().min(1), stream: z.boolean() }),
);
type InvocationRequest = z.infer<typeof InvocationRequest>;

// ----------------------------------------------------------------------------------------------------------
// Test hooks (offline mode, or AGENT_TEST_HOOKS=1): failures on purpose, for the gateway's 424 / error paths.
// ----------------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const streamDelayMs = Number(env.AGENT_STREAM_DELAY_MS ?? 20);

function crash(reason: string): never {
  log(`test hook: exiting with status 1 (${reason})`);
  process.exit(1);
}

const testHooksEnabled = (mode: Mode) => mode.name === "offline" || isSet(env.AGENT_TEST_HOOKS);

/** Runs before any response byte: "__crash__" exits the process, "__error__" makes the handler throw. */
function runEarlyTestHook(prompt: string, mode: Mode): void {
  if (!testHooksEnabled(mode)) return;
  const hook = prompt.trim();
  if (hook === "__crash__") crash("__crash__");
  if (hook === "__error__") throw new Error("Deliberate failure (test hook __error__)");
}

const MIDSTREAM_HOOKS = new Set(["__crash_midstream__", "__error_midstream__"]);

/** After one streamed chunk: "__crash_midstream__" exits the process, "__error_midstream__" throws. */
async function* failMidstream(hook: string): AsyncGenerator<string> {
  yield "Streaming one chunk, then failing...";
  await sleep(streamDelayMs);
  if (hook === "__crash_midstream__") crash(hook);
  throw new Error("Deliberate failure after the first chunk (test hook __error_midstream__)");
}

// ----------------------------------------------------------------------------------------------------------
// The agent
// ----------------------------------------------------------------------------------------------------------

/** Text deltas of the answer, then a note of who called when the request carried a bearer JWT. */
async function* answer(request: InvocationRequest, context: RequestContext, mode: Mode): AsyncGenerator<string> {
  if (testHooksEnabled(mode) && MIDSTREAM_HOOKS.has(request.prompt.trim())) return yield* failMidstream(request.prompt.trim());
  const callerNote = describeCaller(callerFromHeaders(context.headers));
  if (mode.name === "online") {
    yield* mode.agent.stream(request.prompt);
    if (callerNote) yield `\n\n${callerNote}`;
    return;
  }
  const text = offlineAnswer(request.prompt) + (callerNote ? `\n\n${callerNote}` : "");
  yield* streamText(text, request.stream ? streamDelayMs : 0);
}

/** SSE frames `data: "<JSON string>"`, the same framing as the Python SDK's streamed strings. */
async function* toServerSentEvents(deltas: AsyncGenerator<string>): AsyncGenerator<{ data: string }> {
  for await (const text of deltas) yield { data: text };
}

async function invoke(request: InvocationRequest, context: RequestContext) {
  const mode = await modePromise;
  runEarlyTestHook(request.prompt, mode);
  context.log.info({ mode: mode.name, stream: request.stream, promptChars: request.prompt.length }, "invocation");
  const deltas = answer(request, context, mode);
  if (request.stream) return toServerSentEvents(deltas);
  let response = "";
  for await (const text of deltas) response += text;
  return { response, status: "success", mode: mode.name };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    log(`PORT must be an integer from 0 to 65535, got "${value}"`);
    process.exit(2);
  }
  return port;
}

const app = new BedrockAgentCoreApp({
  invocationHandler: { requestSchema: InvocationRequest, process: invoke },
  websocketHandler: (socket, context) => echoOverWebSocket(socket, context, log),
  config: { contentTypeParsers: [jsonBodyNotingAccept] },
});

app.run({ port: parsePort(env.PORT ?? "8080"), host: env.HOST || "0.0.0.0" });
