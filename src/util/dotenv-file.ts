/**
 * Updates keys in a .env file without disturbing anything else: other keys, comments, blank lines,
 * `export ` prefixes, inline comments and line endings stay as they were. A key that exists is
 * changed in place (every occurrence: dotenv lets the last one win); a new key is appended; a key
 * set to null is removed. The file is written atomically and keeps its mode.
 */

import { promises as fsp } from "node:fs";
import { parse } from "dotenv";
import { ConfigError } from "../errors.js";
import { writeFileAtomic } from "./fs.js";

export type DotenvChanges = Record<string, string | null>;

export interface DotenvUpdate {
  text: string;
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
}

const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*=\s*)(.*)$/;

/**
 * A value as dotenv reads it back: bare when safe, else quoted. dotenv takes single-quoted and
 * backtick-quoted values literally and expands only \n and \r inside double quotes (no other escapes).
 */
export function formatDotenvValue(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return value;
  if (/[\n\r]/.test(value)) return `"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes("`")) return `\`${value}\``;
  return `"${value}"`;
}

interface ValueSpan {
  /** How many lines the value spans (quoted values may continue on the next lines). */
  lines: number;
  /** What follows the value on its last line (an inline comment), kept on rewrite. */
  trailing: string;
  /** The value as written (with its quotes), to tell "unchanged" apart. */
  raw: string;
}

/** Where a value starting at `rest` (on `lines[index]`) ends. */
function valueSpan(rest: string, lines: string[], index: number): ValueSpan {
  const quote = rest[0];
  if (quote === '"' || quote === "'" || quote === "`") {
    let text = rest;
    for (let n = 0; index + n < lines.length; n += 1) {
      if (n > 0) text += `\n${lines[index + n]}`;
      const close = findClosingQuote(text, quote);
      if (close >= 0) return { lines: n + 1, trailing: text.slice(close + 1), raw: text.slice(0, close + 1) };
    }
    return { lines: 1, trailing: "", raw: rest }; // unterminated: treat as one line, as dotenv does
  }
  const comment = rest.search(/\s#/);
  return comment >= 0
    ? { lines: 1, trailing: rest.slice(comment), raw: rest.slice(0, comment) }
    : { lines: 1, trailing: "", raw: rest.replace(/\s+$/, "") };
}

function findClosingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i += 1) {
    if (text[i] === "\\" && quote === '"') {
      i += 1;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

/** Applies `changes` to .env text (pure; for tests and for updateDotenvFile). */
export function applyDotenvChanges(original: string, changes: DotenvChanges): DotenvUpdate {
  const eol = original.includes("\r\n") ? "\r\n" : "\n";
  const lines = original === "" ? [] : original.split(/\r?\n/);
  const hadFinalNewline = original === "" || /\r?\n$/.test(original);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const seen = new Set<string>();
  const result = { added: [] as string[], updated: [] as string[], removed: [] as string[], unchanged: [] as string[] };
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const match = ASSIGNMENT.exec(lines[i]);
    if (!match || !(match[2] in changes)) {
      out.push(lines[i]);
      i += 1;
      continue;
    }
    const [, prefix, key, equals, rest] = match;
    const span = valueSpan(rest, lines, i);
    const wanted = changes[key];
    seen.add(key);
    if (wanted === null) {
      if (!result.removed.includes(key)) result.removed.push(key);
    } else if (parse(`${key}=${span.raw}`)[key] === wanted) {
      // Same value: keep the line exactly as the user wrote it (quotes and all).
      if (!result.unchanged.includes(key)) result.unchanged.push(key);
      out.push(...lines.slice(i, i + span.lines));
    } else {
      if (!result.updated.includes(key)) result.updated.push(key);
      out.push(`${prefix}${key}${equals}${formatDotenvValue(wanted)}${span.trailing}`);
    }
    i += span.lines;
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || seen.has(key)) continue;
    out.push(`${key}=${formatDotenvValue(value)}`);
    result.added.push(key);
  }
  const text = out.length === 0 ? "" : out.join(eol) + (hadFinalNewline || result.added.length > 0 ? eol : "");
  return { text, ...result };
}

function unusable(file: string, action: "read" | "write", error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  return new ConfigError(`Cannot ${action} ${file}: ${code}.`, {
    code: "DotenvUnusable",
    hint: `Make ${file} a readable and writable file (or remove it), then run the command again.`,
    cause: error,
  });
}

/** The text of a .env file; undefined when it does not exist. Anything else unreadable (a directory, no permission) is a ConfigError. */
export async function readDotenvFile(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw unusable(file, "read", error);
  }
}

/** Reads `file` (missing = empty), applies the changes and writes it back atomically when something changed. */
export async function updateDotenvFile(
  file: string,
  changes: DotenvChanges,
  options: { newFileMode?: number } = {},
): Promise<DotenvUpdate> {
  const existing = await readDotenvFile(file);
  const original = existing ?? "";
  const update = applyDotenvChanges(original, changes);
  if (update.text !== original) {
    try {
      await writeFileAtomic(file, update.text, existing !== undefined ? undefined : (options.newFileMode ?? 0o644));
    } catch (error) {
      throw unusable(file, "write", error);
    }
  }
  return update;
}
