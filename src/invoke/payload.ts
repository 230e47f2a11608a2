/**
 * The invoke payload: a JSON argument, or stdin when the argument is absent (or "-"). Text that is
 * not JSON becomes {"prompt": text}, like the starter toolkit, so `invoke "Hello"` just works; text
 * that starts like a JSON object but does not parse is refused instead (a typo, not a prompt).
 * Valid JSON is sent as given, only surrounding whitespace (a pipe's newline) dropped: the body is the payload itself.
 */
import { UsageError } from "../errors.js";

export interface Payload {
  /** The request body. */
  body: string;
  /** True when the text was not JSON and was wrapped as {"prompt": text}. */
  wrapped: boolean;
}

export function payloadFromText(text: string): Payload {
  const trimmed = text.trim();
  if (trimmed === "") {
    throw new UsageError("The payload is empty.", {
      hint: `Pass a JSON payload such as '{"prompt":"Hello"}', or plain text (sent as {"prompt": text}).`,
      code: "EmptyPayload",
    });
  }
  try {
    JSON.parse(trimmed);
    return { body: trimmed, wrapped: false };
  } catch (error) {
    // A JSON object with a typo is a mistake, not a prompt: wrapping it would send the agent garbage.
    if (trimmed.startsWith("{")) {
      throw new UsageError(`The payload looks like a JSON object but is not valid JSON (${(error as Error).message}).`, {
        hint: `Fix the JSON (e.g. '{"prompt":"Hello"}', keys and strings in double quotes), or pass plain text, which is sent as {"prompt": text}.`,
        code: "InvalidPayload",
      });
    }
    // Plain text: drop the newline a pipe or heredoc adds, keep everything else as typed.
    return { body: JSON.stringify({ prompt: text.replace(/\r?\n$/, "") }), wrapped: true };
  }
}

export type PayloadInput = NodeJS.ReadableStream & { isTTY?: boolean };

/** The payload from the argument, else from stdin when it is not a terminal. */
export async function readPayload(argument: string | undefined, stdin: PayloadInput): Promise<Payload> {
  if (argument !== undefined && argument !== "-") return payloadFromText(argument);
  if (stdin.isTTY) {
    throw new UsageError("No payload given.", {
      hint: `Pass it as an argument ('{"prompt":"Hello"}' or plain text) or pipe it on stdin: echo '{"prompt":"Hello"}' | agentcore-ts invoke`,
      code: "NoPayload",
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") {
    throw new UsageError("No payload given: the argument is absent and stdin is empty.", {
      hint: `Pass it as an argument ('{"prompt":"Hello"}' or plain text) or pipe it on stdin.`,
      code: "NoPayload",
    });
  }
  return payloadFromText(text);
}
