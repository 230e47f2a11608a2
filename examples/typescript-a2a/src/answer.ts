/**
 * The agent's answer, deterministic and offline (no model, no AWS): "a + b" style arithmetic is worked out,
 * anything else is echoed. Replace `answerFor` with a model call for a real agent; the A2A plumbing in
 * agent.ts stays the same.
 */

const ARITHMETIC = /(-?\d+(?:\.\d+)?)\s*([-+*/x×÷])\s*(-?\d+(?:\.\d+)?)/;

function calculate(a: number, op: string, b: number): number | undefined {
  if (op === "+") return a + b;
  if (op === "-") return a - b;
  if (op === "*" || op === "x" || op === "×") return a * b;
  return b === 0 ? undefined : a / b;
}

export function answerFor(prompt: string): string {
  const match = ARITHMETIC.exec(prompt);
  if (match) {
    const [expression, a, op, b] = match;
    const value = calculate(Number(a), op, Number(b));
    return value === undefined ? `I cannot divide by zero (${expression}).` : `${expression.replace(/\s+/g, " ")} = ${value}`;
  }
  return `Hello from the A2A agent! You said: "${prompt.trim()}". Ask me some arithmetic, such as "What is 6 * 7?".`;
}

/** The answer in word-boundary chunks (at most `count`), whose concatenation is the text. */
export function chunksOf(text: string, count: number): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text];
  const size = Math.ceil(words.length / count);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += size) chunks.push(words.slice(i, i + size).join(""));
  return chunks;
}
