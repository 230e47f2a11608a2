/**
 * Where JSON text first breaks the grammar (RFC 8259), for an error a person can act on: V8's
 * JSON.parse message gives an offset at best and, for some errors, a snippet with no place at all.
 * Only called after JSON.parse failed; it checks the grammar and builds no value.
 */

/** The offset of the first character that breaks the grammar (text.length when the text ends too soon). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (at = i): never => {
    throw at;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < " ") fail();
      if (ch === '"') return void i++;
      if (ch === "\\") {
        i++;
        if (text[i] === "u") {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) fail(i + k);
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail();
    i += match![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        ws();
        if (close === "}") {
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ":") fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === close) return void i++;
        else fail();
      }
    }
    if (ch === '"') string();
    else if (ch === "t") literal("true");
    else if (ch === "f") literal("false");
    else if (ch === "n") literal("null");
    else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) number();
    else fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (offset) {
    if (typeof offset === "number") return Math.min(offset, text.length);
    throw offset;
  }
  return text.length;
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/** "<what went wrong> at line L, column C": JSON.parse's own words without its offset or snippet. */
export function jsonSyntaxMessage(text: string, parseMessage: string): string {
  const { line, column } = lineAndColumn(text, jsonErrorOffset(text));
  const what =
    text.slice(jsonErrorOffset(text)).trim() === ""
      ? "the JSON ends too soon"
      : parseMessage
          .replace(/\s*\(line \d+ column \d+\)/, "")
          .replace(/\s*in JSON at position \d+/, "")
          .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, "")
          .replace(/\.$/, "");
  return `${what} at line ${line}, column ${column}`;
}
