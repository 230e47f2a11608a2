/**
 * Offline mode: a deterministic stand-in for the model, so the agent runs with no AWS account (local tests,
 * `agentcore-ts quickstart --local`). It still routes the prompt to the same tools the model would call, and
 * streams its answer in several chunks with small pauses so streaming is observable end to end.
 */
import { CalculatorError, calculator, weather } from "./tools.js";

export const OFFLINE_CHUNKS = 5;

/** The longest run of arithmetic in the prompt that has at least one binary operator: "What is (2+3)*4?" -> "(2+3)*4". */
export function findArithmetic(prompt: string): string | undefined {
  const candidates = (prompt.match(/[-+*/%^×÷().\d\s]+/g) ?? [])
    .map((candidate) => candidate.trim())
    .filter((candidate) => /[\d)]\s*(?:\*\*|[-+*/%^×÷])\s*[-+(.\d]/.test(candidate));
  return candidates.sort((a, b) => b.length - a.length)[0];
}

/** "weather in Paris" -> "Paris"; "How is the weather now?" -> undefined. */
function findLocation(prompt: string): string | undefined {
  return /\b(?:in|at|for)\s+([A-Z][\p{L} .'-]*[\p{L}])/u.exec(prompt)?.[1];
}

/** The full offline answer for a prompt (deterministic). */
export function offlineAnswer(prompt: string): string {
  if (/\b(weather|forecast|temperature)\b/i.test(prompt)) {
    return `I asked my weather tool. ${weather.run({ location: findLocation(prompt) })}`;
  }
  const expression = findArithmetic(prompt);
  if (expression) {
    try {
      return `I used my calculator tool: ${calculator.run({ expression })}`;
    } catch (error) {
      if (error instanceof CalculatorError) return `My calculator tool could not work out "${expression}": ${error.message}.`;
      throw error;
    }
  }
  return `Hello! You said: "${prompt.trim()}". I am running offline (no model), so I can tell you the weather or do arithmetic with my tools.`;
}

/** Splits text at word boundaries into at most `count` chunks whose concatenation is the text. */
export function splitIntoChunks(text: string, count: number): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text];
  const perChunk = Math.ceil(words.length / count);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += perChunk) chunks.push(words.slice(i, i + perChunk).join(""));
  return chunks;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Streams `text` as text deltas, pausing `delayMs` between chunks. */
export async function* streamText(text: string, delayMs: number): AsyncGenerator<string> {
  const chunks = splitIntoChunks(text, OFFLINE_CHUNKS);
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0 && delayMs > 0) await sleep(delayMs);
    yield chunk;
  }
}
