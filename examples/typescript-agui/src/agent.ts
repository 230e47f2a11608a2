/**
 * An AG-UI agent for AgentCore Runtime (serverProtocol AGUI), on @ag-ui/core (types, RunAgentInput schema) and
 * @ag-ui/encoder (SSE framing). The container contract (runtime-agui-protocol-contract):
 *   GET  /ping         -> 200 {"status":"Healthy","time_of_last_update":<epoch s>}
 *   POST /invocations  RunAgentInput -> text/event-stream of AG-UI events: RUN_STARTED, (TOOL_CALL_START/ARGS/END,
 *                      TOOL_CALL_RESULT), TEXT_MESSAGE_START/CONTENT.../END, RUN_FINISHED; or RUN_ERROR.
 * Listens on 0.0.0.0:8080 like an HTTP agent (AGUI and HTTP differ only in serverProtocol).
 *
 * Start:  node --import tsx src/agent.ts      (or: npm run build && npm start)
 * Env:    PORT (8080), HOST (0.0.0.0), AGENT_STREAM_DELAY_MS (pause between streamed deltas, 20),
 *         AGENT_TEST_HOOKS=1 (failure prompts for tests, see README).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { type BaseEvent, EventType, type RunAgentInput } from "@ag-ui/core";
import { RunAgentInputSchema } from "@ag-ui/core/schemas";
import { EventEncoder } from "@ag-ui/encoder";
import { planAnswer } from "./answer.js";

const env = process.env;
const port = Number(env.PORT ?? "8080");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`[agent] PORT must be an integer from 0 to 65535, got "${env.PORT}"\n`);
  process.exit(2);
}
const host = env.HOST || "0.0.0.0";
const streamDelayMs = Number(env.AGENT_STREAM_DELAY_MS ?? 20);
const testHooks = /^(1|true|yes|on)$/i.test(env.AGENT_TEST_HOOKS ?? "");
const MAX_BODY_BYTES = 1024 * 1024;

function log(message: string): void {
  process.stderr.write(`[agent] ${message}\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Test hook __hold__: the first delta goes out, the rest waits for POST /__release (streaming seen end to end).
let releaseHeld: (() => void) | undefined;

/** The text of the last user message: what this agent answers. */
function lastUserText(input: RunAgentInput): string {
  for (let i = input.messages.length - 1; i >= 0; i--) {
    const message = input.messages[i];
    if (message.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    return message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
  }
  return "";
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Runs one RunAgentInput, writing its AG-UI events to `emit` as they happen. */
async function run(input: RunAgentInput, emit: (event: BaseEvent) => void): Promise<void> {
  const { threadId, runId } = input;
  const prompt = lastUserText(input).trim();
  const hook = testHooks ? prompt : "";
  emit({ type: EventType.RUN_STARTED, threadId, runId } as BaseEvent);
  if (hook === "__error__") {
    // After the stream started an error is an event, not an HTTP status (runtime-agui-protocol-contract).
    emit({ type: EventType.RUN_ERROR, message: "Deliberate failure (test hook __error__)", code: "AGENT_ERROR" } as BaseEvent);
    return;
  }
  const plan =
    hook === "__crash_midstream__" || hook === "__hold__" ? { chunks: ["Streaming one chunk, ", "then the rest."] } : planAnswer(prompt);
  if (plan.tool) {
    const toolCallId = randomUUID();
    emit({ type: EventType.TOOL_CALL_START, toolCallId, toolCallName: plan.tool.name } as BaseEvent);
    emit({ type: EventType.TOOL_CALL_ARGS, toolCallId, delta: JSON.stringify(plan.tool.args) } as BaseEvent);
    emit({ type: EventType.TOOL_CALL_END, toolCallId } as BaseEvent);
    emit({ type: EventType.TOOL_CALL_RESULT, messageId: randomUUID(), toolCallId, content: plan.tool.result, role: "tool" } as BaseEvent);
  }
  const messageId = randomUUID();
  emit({ type: EventType.TEXT_MESSAGE_START, messageId, role: "assistant" } as BaseEvent);
  for (const [i, delta] of plan.chunks.entries()) {
    if (i > 0) {
      if (hook === "__crash_midstream__") {
        await sleep(50); // the first delta leaves the process before it dies
        log("test hook: exiting with status 1 mid-stream");
        process.exit(1);
      }
      if (hook === "__hold__") await new Promise<void>((resolve) => (releaseHeld = resolve));
      else if (streamDelayMs > 0) await sleep(streamDelayMs);
    }
    emit({ type: EventType.TEXT_MESSAGE_CONTENT, messageId, delta } as BaseEvent);
  }
  emit({ type: EventType.TEXT_MESSAGE_END, messageId } as BaseEvent);
  emit({ type: EventType.RUN_FINISHED, threadId, runId } as BaseEvent);
}

async function invocations(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const text = await readBody(req);
  if (text === undefined) return sendJson(res, 413, { error: `The body exceeds ${MAX_BODY_BYTES} bytes.` });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return sendJson(res, 400, { error: `The body is not JSON: ${(error as Error).message}` });
  }
  const parsed = RunAgentInputSchema.safeParse(json);
  if (!parsed.success) {
    return sendJson(res, 400, { error: "The body is not an AG-UI RunAgentInput.", details: parsed.error.issues.slice(0, 5) });
  }
  if (testHooks && lastUserText(parsed.data).trim() === "__crash__") {
    log("test hook: exiting with status 1 before answering");
    process.exit(1);
  }
  const encoder = new EventEncoder({ accept: req.headers.accept });
  res.writeHead(200, { "content-type": encoder.getContentType(), "cache-control": "no-cache" });
  try {
    await run(parsed.data, (event) => res.write(encoder.encode(event)));
  } catch (error) {
    res.write(encoder.encode({ type: EventType.RUN_ERROR, message: (error as Error).message, code: "AGENT_ERROR" } as BaseEvent));
  }
  res.end();
}

const server = http.createServer({ noDelay: true }, (req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/ping") {
    return sendJson(res, 200, { status: "Healthy", time_of_last_update: Math.floor(Date.now() / 1000) });
  }
  if (req.method === "POST" && path === "/invocations") {
    invocations(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: error.message });
      else res.destroy(error);
    });
    return;
  }
  if (testHooks && req.method === "POST" && path === "/__release") {
    releaseHeld?.();
    res.end("released");
    return;
  }
  sendJson(res, 404, { error: `No route for ${req.method} ${path}: POST /invocations or GET /ping.` });
});
server.on("error", (error) => {
  log(`cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => log(`AG-UI agent on http://${host}:${port}/invocations`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => server.close(() => process.exit(0)));
