/**
 * What the agent says, deterministic and offline (no model, no AWS): a question about the weather calls the
 * `weather` tool (a fixed demo answer), anything else is echoed. Replace `planAnswer` with a model call for a
 * real agent; the AG-UI event plumbing in agent.ts stays the same.
 */

export interface AnswerPlan {
  /** A tool the agent calls first, shown to the client as TOOL_CALL_* events. */
  tool?: { name: string; args: Record<string, unknown>; result: string };
  /** The answer's text deltas (TEXT_MESSAGE_CONTENT), in order. */
  chunks: string[];
}

function words(text: string, perChunk: number): string[] {
  const all = text.match(/\s*\S+\s*/g) ?? [text];
  const chunks: string[] = [];
  for (let i = 0; i < all.length; i += perChunk) chunks.push(all.slice(i, i + perChunk).join(""));
  return chunks;
}

export function planAnswer(prompt: string): AnswerPlan {
  if (/\b(weather|forecast|temperature)\b/i.test(prompt)) {
    const location = /\b(?:in|at|for)\s+([A-Z][\p{L} .'-]*[\p{L}])/u.exec(prompt)?.[1] ?? "Seattle";
    const result = `Sunny, 22 °C, light breeze in ${location}.`;
    return { tool: { name: "weather", args: { location }, result }, chunks: words(`The weather tool says: ${result}`, 3) };
  }
  return { chunks: words(`Hello from the AG-UI agent! You said: "${prompt}".`, 3) };
}
