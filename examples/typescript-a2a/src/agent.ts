/**
 * An A2A agent for AgentCore Runtime (serverProtocol A2A), on the official @a2a-js/sdk (A2A v1.0) with its
 * v0.3 compatibility layer on, so both method generations work:
 *   POST /                              JSON-RPC 2.0: SendMessage, SendStreamingMessage, GetTask, ... (v1.0)
 *                                       and message/send, message/stream, tasks/get, ... (v0.3, which AWS's
 *                                       docs and @aws/agentcore send)
 *   GET  /.well-known/agent-card.json   the agent card (v1.0 shape for A2A-Version: 1.0, else the v0.3 shape)
 *   GET  /ping                          {"status":"Healthy"} (not part of the A2A contract; handy for probes)
 * Container contract: 0.0.0.0:9000 (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-a2a-protocol-contract.html).
 *
 * Start:  node --import tsx src/agent.ts      (or: npm run build && npm start)
 * Env:    PORT (9000), HOST (0.0.0.0), AGENTCORE_RUNTIME_URL (the URL the card advertises; default
 *         http://127.0.0.1:PORT/), AGENT_STREAM_DELAY_MS (pause between streamed chunks, 20),
 *         AGENT_TEST_HOOKS=1 (failure prompts for tests, see README).
 */
import { randomUUID } from "node:crypto";
import { A2A_PROTOCOL_VERSION, AGENT_CARD_PATH, type AgentCard, type Part, Role, TaskState } from "@a2a-js/sdk";
import { duplicateInterfacesForLegacy } from "@a2a-js/sdk/compat/v0_3";
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  InMemoryTaskStore,
  type RequestContext,
} from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";
import express from "express";
import { answerFor, chunksOf } from "./answer.js";

const env = process.env;
const port = Number(env.PORT ?? "9000");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`[agent] PORT must be an integer from 0 to 65535, got "${env.PORT}"\n`);
  process.exit(2);
}
const host = env.HOST || "0.0.0.0";
const streamDelayMs = Number(env.AGENT_STREAM_DELAY_MS ?? 20);
const testHooks = /^(1|true|yes|on)$/i.test(env.AGENT_TEST_HOOKS ?? "");

function log(message: string): void {
  process.stderr.write(`[agent] ${message}\n`);
}

/**
 * Where A2A clients post. On AgentCore that is the runtime's invoke URL
 * (https://bedrock-agentcore.{region}.amazonaws.com/runtimes/{encoded ARN}/invocations/), given to the agent as
 * AGENTCORE_RUNTIME_URL as in AWS's A2A tutorial (runtime-a2a); `agentcore-ts launch --local` sets it to the
 * local gateway's invoke URL so clients that follow the card stay behind the inbound auth.
 */
const publicUrl = env.AGENTCORE_RUNTIME_URL || `http://127.0.0.1:${port}/`;

const card: AgentCard = {
  name: "agentcore-ts A2A example",
  description: "Answers arithmetic such as 'What is 6 * 7?' and echoes anything else (deterministic, no model).",
  supportedInterfaces: duplicateInterfacesForLegacy(
    [{ url: publicUrl, protocolBinding: "JSONRPC", tenant: "", protocolVersion: A2A_PROTOCOL_VERSION }],
    ["JSONRPC"],
  ),
  provider: { organization: "agentcore-ts examples", url: "https://github.com/a2aproject/a2a-js" },
  version: "0.1.0",
  capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
  securitySchemes: {},
  securityRequirements: [],
  defaultInputModes: ["text/plain"],
  defaultOutputModes: ["text/plain"],
  skills: [
    {
      id: "calculator",
      name: "Calculator",
      description: "Works out one binary arithmetic operation (+ - * /).",
      tags: ["math"],
      examples: ["What is 6 * 7?", "12 / 4"],
      inputModes: ["text/plain"],
      outputModes: ["text/plain"],
      securityRequirements: [],
    },
  ],
  signatures: [],
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Test hook __hold__: the first chunk goes out, the rest waits for POST /__release (streaming seen end to end).
let releaseHeld: (() => void) | undefined;

function textPart(value: string): Part {
  return { content: { $case: "text", value }, metadata: undefined, filename: "", mediaType: "text/plain" };
}

function userText(context: RequestContext): string {
  return context.userMessage.parts
    .map((part) => (part.content?.$case === "text" ? part.content.value : ""))
    .join("")
    .trim();
}

class ExampleExecutor implements AgentExecutor {
  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = context;
    const prompt = userText(context);
    const hook = testHooks ? prompt : "";
    if (hook === "__crash__") {
      log("test hook: exiting with status 1 before answering");
      process.exit(1);
    }
    const now = () => new Date().toISOString();
    bus.publish(
      AgentEvent.task(
        context.task ?? {
          id: taskId,
          contextId,
          status: { state: TaskState.TASK_STATE_SUBMITTED, timestamp: now(), message: undefined },
          artifacts: [],
          history: [context.userMessage],
          metadata: undefined,
        },
      ),
    );
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_WORKING, timestamp: now(), message: undefined },
        metadata: undefined,
      }),
    );
    if (hook === "__error__") {
      // A failed task, the A2A way: the task ends in TASK_STATE_FAILED with an agent message saying why.
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: {
            state: TaskState.TASK_STATE_FAILED,
            timestamp: now(),
            message: {
              messageId: randomUUID(),
              role: Role.ROLE_AGENT,
              parts: [textPart("Deliberate failure (test hook __error__)")],
              taskId,
              contextId,
              extensions: [],
              metadata: undefined,
              referenceTaskIds: [],
            },
          },
          metadata: undefined,
        }),
      );
      return;
    }
    const chunks =
      hook === "__crash_midstream__" || hook === "__hold__" ? ["Streaming one chunk, ", "then the rest."] : chunksOf(answerFor(prompt), 5);
    const artifactId = randomUUID();
    for (const [i, chunk] of chunks.entries()) {
      if (i > 0) {
        if (hook === "__crash_midstream__") {
          await sleep(50); // the first chunk leaves the process before it dies
          log("test hook: exiting with status 1 mid-stream");
          process.exit(1);
        }
        if (hook === "__hold__") await new Promise<void>((resolve) => (releaseHeld = resolve));
        else if (streamDelayMs > 0) await sleep(streamDelayMs);
      }
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: { artifactId, name: "answer", description: "", parts: [textPart(chunk)], metadata: undefined, extensions: [] },
          append: i > 0,
          lastChunk: i === chunks.length - 1,
          metadata: undefined,
        }),
      );
    }
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_COMPLETED, timestamp: now(), message: undefined },
        metadata: undefined,
      }),
    );
  }

  async cancelTask(): Promise<void> {
    // Answers finish within milliseconds: nothing to cancel.
  }
}

const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new ExampleExecutor());
const app = express();
app.get("/ping", (_req, res) => {
  res.json({ status: "Healthy", time_of_last_update: Math.floor(Date.now() / 1000) });
});
if (testHooks) {
  app.post("/__release", (_req, res) => {
    releaseHeld?.();
    res.send("released");
  });
}
app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: requestHandler, legacyCompat: { enabled: true } }));
app.use("/", jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));

const server = app.listen(port, host, () => log(`A2A agent on http://${host}:${port}/ (card advertises ${publicUrl})`));
server.on("error", (error) => {
  log(`cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => server.close(() => process.exit(0)));
