/**
 * The TypeScript example's online mode (Bedrock ConverseStream + tool-use loop), with the Bedrock client mocked:
 * nothing reaches AWS.
 */
import { BedrockRuntimeClient, ConverseStreamCommand, type ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { BedrockAgent, createBedrockAgent, DEFAULT_MODEL_ID } from "../../examples/typescript/src/bedrock.js";
import { weather } from "../../examples/typescript/src/tools.js";

const bedrock = mockClient(BedrockRuntimeClient);
afterEach(() => bedrock.reset());

async function* events(...items: ConverseStreamOutput[]): AsyncGenerator<ConverseStreamOutput> {
  yield* items;
}

async function collect(stream: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const text of stream) out.push(text);
  return out;
}

describe("example agent online mode", () => {
  it("streams text, runs the tools the model asks for, and sends their results back", async () => {
    bedrock
      .on(ConverseStreamCommand)
      .resolvesOnce({
        stream: events(
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Let me check." } } },
          { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: "t1", name: "weather" } } } },
          { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"loca' } } } },
          { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: 'tion":"Paris"}' } } } },
          { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: "t2", name: "calculator" } } } },
          { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '{"expression":"1/0"}' } } } },
          { messageStop: { stopReason: "tool_use" } },
        ),
      })
      .resolvesOnce({
        stream: events(
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Sunny in " } } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Paris." } } },
          { messageStop: { stopReason: "end_turn" } },
        ),
      });

    const agent = new BedrockAgent(new BedrockRuntimeClient({ region: "us-east-1" }), "model-x");
    expect(await collect(agent.stream("Weather in Paris, and 1/0?"))).toEqual(["Let me check.", "\n", "Sunny in ", "Paris."]);

    const calls = bedrock.commandCalls(ConverseStreamCommand);
    expect(calls).toHaveLength(2);
    const first = calls[0]!.args[0].input;
    expect(first.modelId).toBe("model-x");
    expect(first.toolConfig?.tools?.map((tool) => tool.toolSpec?.name)).toEqual(["calculator", "weather"]);
    expect(first.toolConfig?.tools?.[0]?.toolSpec?.inputSchema).toMatchObject({
      json: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
    });

    const [user, assistant, toolResults] = calls[1]!.args[0].input.messages ?? [];
    expect(user).toEqual({ role: "user", content: [{ text: "Weather in Paris, and 1/0?" }] });
    expect(assistant?.content).toEqual([
      { text: "Let me check." },
      { toolUse: { toolUseId: "t1", name: "weather", input: { location: "Paris" } } },
      { toolUse: { toolUseId: "t2", name: "calculator", input: { expression: "1/0" } } },
    ]);
    expect(toolResults).toEqual({
      role: "user",
      content: [
        { toolResult: { toolUseId: "t1", content: [{ text: weather.run({ location: "Paris" }) }], status: "success" } },
        { toolResult: { toolUseId: "t2", content: [{ text: "division by zero" }], status: "error" } },
      ],
    });
  });

  it("takes the model from BEDROCK_MODEL_ID, with a default", () => {
    expect(createBedrockAgent({ BEDROCK_MODEL_ID: "my-profile" }).modelId).toBe("my-profile");
    expect(createBedrockAgent({}).modelId).toBe(DEFAULT_MODEL_ID);
  });
});
