/** Small pieces for driving A2A agents with the official @a2a-js/sdk client in tests. */
import { type Message, type Part, Role, type StreamResponse } from "@a2a-js/sdk";
import type { Client } from "@a2a-js/sdk/client";

export function userMessage(text: string): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: "",
    taskId: "",
    role: Role.ROLE_USER,
    parts: [{ content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "text/plain" }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

export function partsText(parts: readonly Part[] | undefined): string {
  return (parts ?? []).map((part) => (part.content?.$case === "text" ? part.content.value : "")).join("");
}

/** The text of a SendMessage result: a Task's artifacts, or a Message's parts. */
export function resultText(result: Awaited<ReturnType<Client["sendMessage"]>>): string {
  if ("artifacts" in result) return result.artifacts.map((artifact) => partsText(artifact.parts)).join("");
  return partsText(result.parts);
}

/** Sends `text` as a streaming message; returns the artifact text, the final state and how many events came. */
export async function streamMessage(
  client: Client,
  text: string,
  headers: Record<string, string> = {},
): Promise<{ text: string; states: string[]; events: StreamResponse[] }> {
  const events: StreamResponse[] = [];
  const states: string[] = [];
  let answer = "";
  for await (const event of client.sendMessageStream(
    { tenant: "", message: userMessage(text), configuration: undefined, metadata: undefined },
    { serviceParameters: headers },
  )) {
    events.push(event);
    const payload = event.payload;
    if (payload?.$case === "artifactUpdate") answer += partsText(payload.value.artifact?.parts);
    if (payload?.$case === "statusUpdate" && payload.value.status) states.push(String(payload.value.status.state));
  }
  return { text: answer, states, events };
}
