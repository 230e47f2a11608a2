/**
 * Online mode: Amazon Bedrock's ConverseStream API with the two tools (a hand-written tool-use loop; the
 * Python example gets the same loop from Strands). Yields the model's text deltas as they arrive.
 *
 * The runtime's execution role needs bedrock:InvokeModelWithResponseStream on the model / inference profile.
 */
import {
  BedrockRuntimeClient,
  type ContentBlock,
  ConverseStreamCommand,
  type Message,
  type StopReason,
  type ToolConfiguration,
  type ToolUseBlock,
} from "@aws-sdk/client-bedrock-runtime";
import { z } from "zod";
import { runTool, TOOLS } from "./tools.js";

/** Cross-region inference profile; override with BEDROCK_MODEL_ID (model id or inference profile id/ARN). */
export const DEFAULT_MODEL_ID = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
export const SYSTEM_PROMPT = "You're a helpful assistant. You can do simple math calculation, and tell the weather.";
const MAX_TOOL_ROUNDS = 5;

/** The SDK's JSON document type (tool input schemas and tool inputs). */
type JsonDocument = NonNullable<ToolUseBlock["input"]>;

const toolConfig: ToolConfiguration = {
  tools: TOOLS.map((tool) => ({
    toolSpec: {
      name: tool.name,
      description: tool.description,
      // zod's JSON Schema type allows `unknown` members; the generated schema is plain JSON.
      inputSchema: { json: z.toJSONSchema(tool.inputSchema) as JsonDocument },
    },
  })),
};

interface PendingToolUse {
  toolUseId: string;
  name: string;
  /** The tool input arrives as JSON text in several deltas. */
  inputJson: string;
}

export class BedrockAgent {
  constructor(
    private readonly client: BedrockRuntimeClient,
    readonly modelId: string,
  ) {}

  /** Resolves the default credential chain once; false when there are none (then the agent runs offline). */
  async hasCredentials(timeoutMs = 5000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
    });
    try {
      const credentials = await Promise.race([this.client.config.credentials(), timeout]);
      return Boolean(credentials.accessKeyId);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One invocation: user prompt in, text deltas out; runs tools until the model stops asking for them. */
  async *stream(prompt: string): AsyncGenerator<string> {
    const messages: Message[] = [{ role: "user", content: [{ text: prompt }] }];
    for (let round = 0; round <= MAX_TOOL_ROUNDS; round++) {
      const response = await this.client.send(
        new ConverseStreamCommand({ modelId: this.modelId, system: [{ text: SYSTEM_PROMPT }], messages, toolConfig }),
      );
      const texts = new Map<number, string>();
      const toolUses = new Map<number, PendingToolUse>();
      let stopReason: StopReason | string | undefined;
      // Modelled stream errors (throttling, validation, ...) are thrown by the iterator; the SDK's
      // runtime turns a throw into an SSE `event: error` frame for the caller.
      for await (const event of response.stream ?? []) {
        const start = event.contentBlockStart;
        if (start?.start?.toolUse) {
          const { toolUseId = "", name = "" } = start.start.toolUse;
          toolUses.set(start.contentBlockIndex ?? 0, { toolUseId, name, inputJson: "" });
        }
        const delta = event.contentBlockDelta;
        if (delta?.delta?.text !== undefined) {
          const index = delta.contentBlockIndex ?? 0;
          texts.set(index, (texts.get(index) ?? "") + delta.delta.text);
          yield delta.delta.text;
        } else if (delta?.delta?.toolUse) {
          const pending = toolUses.get(delta.contentBlockIndex ?? 0);
          if (pending) pending.inputJson += delta.delta.toolUse.input ?? "";
        }
        if (event.messageStop) stopReason = event.messageStop.stopReason;
      }

      const content: ContentBlock[] = [];
      for (const index of [...new Set([...texts.keys(), ...toolUses.keys()])].sort((a, b) => a - b)) {
        const text = texts.get(index);
        const toolUse = toolUses.get(index);
        if (text) content.push({ text });
        if (toolUse)
          content.push({ toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name, input: parseToolInput(toolUse.inputJson) } });
      }
      messages.push({ role: "assistant", content });
      if (stopReason !== "tool_use" || toolUses.size === 0) return;

      if (texts.size > 0) yield "\n";
      messages.push({ role: "user", content: [...toolUses.values()].map(toolResult) });
    }
    yield `\n(Stopped after ${MAX_TOOL_ROUNDS} rounds of tool use.)`;
  }
}

function parseToolInput(json: string): JsonDocument {
  try {
    return json.trim() ? (JSON.parse(json) as JsonDocument) : {};
  } catch {
    return {};
  }
}

/** Runs one tool; a failing tool is reported to the model (status "error"), not thrown at the caller. */
function toolResult(toolUse: PendingToolUse): ContentBlock {
  try {
    const text = runTool(toolUse.name, parseToolInput(toolUse.inputJson));
    return { toolResult: { toolUseId: toolUse.toolUseId, content: [{ text }], status: "success" } };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { toolResult: { toolUseId: toolUse.toolUseId, content: [{ text }], status: "error" } };
  }
}

export function createBedrockAgent(env: NodeJS.ProcessEnv): BedrockAgent {
  // Strands' BedrockModel defaults to us-west-2 as well; AgentCore Runtime sets AWS_REGION.
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-west-2";
  return new BedrockAgent(new BedrockRuntimeClient({ region }), env.BEDROCK_MODEL_ID || DEFAULT_MODEL_ID);
}
