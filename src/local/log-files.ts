/**
 * The local runtime's log files under AGENTCORE_TS_HOME/local/ (mode 0600): the agent's output as text
 * (`<agent>.log`, what `tail -f` and the start-up hints read), the same output as JSON lines with the time
 * each line arrived (`<agent>.agent.jsonl`), and the gateway's request log (`<agent>.requests.jsonl`).
 * `logs --local` reads and follows the two JSON-lines files.
 *
 * Bounded: a file that would grow past LOG_FILE_MAX_BYTES is rotated (renamed to `<file>.1`, replacing the
 * previous one) and started afresh, so each log takes at most twice that; a new `launch --local` starts all
 * of them empty. Writes are synchronous appends of whole lines, in the order they happen: each file is in
 * time order, and a reader never sees a line of another writer in the middle of one.
 */
import { closeSync, promises as fsp, fstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import type { GatewayLogEvent } from "./gateway.js";

/** One line of the gateway's request log: the access-log event and when the request ended (ISO 8601). */
export type RequestLogEvent = GatewayLogEvent & { time: string };

/** Rotation threshold of each log file (the rotated `.1` copy doubles it at most). */
export const LOG_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** The rotated copy of `file`. */
export function rotatedFile(file: string): string {
  return `${file}.1`;
}

/** An append-only file that rotates to `<file>.1` when it would exceed `maxBytes`. Write errors are swallowed: a log never stops the runtime. */
export class RotatingFile {
  private fd: number | undefined;
  private size = 0;

  /** `fresh`: start empty (and drop the rotated copy); otherwise append to what is there. */
  constructor(
    readonly file: string,
    options: { fresh: boolean; maxBytes?: number },
  ) {
    this.maxBytes = options.maxBytes ?? LOG_FILE_MAX_BYTES;
    if (options.fresh) rmSync(rotatedFile(file), { force: true });
    this.open(options.fresh ? "w" : "a");
  }

  private readonly maxBytes: number;

  private open(flags: "w" | "a"): void {
    try {
      this.fd = openSync(this.file, flags, 0o600);
      this.size = fstatSync(this.fd).size;
    } catch {
      this.fd = undefined;
    }
  }

  append(data: string | Buffer): void {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (this.fd === undefined) return;
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, bytes);
      this.size += bytes.length;
    } catch {
      // the directory went away (a test's cleanup) or the disk is full: the runtime goes on
    }
  }

  private rotate(): void {
    this.close();
    try {
      renameSync(this.file, rotatedFile(this.file));
    } catch {
      // gone: start afresh anyway
    }
    this.open("w");
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}

/** One JSON document per line; `time` (ISO 8601) is the field readers merge and filter on. */
export class JsonLinesFile<T extends { time: string }> {
  private readonly file: RotatingFile;

  constructor(path: string, options: { fresh: boolean; maxBytes?: number }) {
    this.file = new RotatingFile(path, options);
  }

  append(event: T): void {
    this.file.append(`${JSON.stringify(event)}\n`);
  }

  close(): void {
    this.file.close();
  }
}

/** The documents of a JSON-lines text; lines that do not parse (a line cut by a crash) are skipped. */
function parseLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === "object" && typeof (value as { time?: unknown }).time === "string") out.push(value as T);
    } catch {
      // not a whole document
    }
  }
  return out;
}

/**
 * Reads a JSON-lines log from where it was last read, across rotations: the rotated copy's unread rest
 * first (the file was renamed to `.1` since), then the new file from its start. Only whole lines are
 * returned; a partly written last line waits for the next read.
 */
export class JsonLinesReader<T extends { time: string }> {
  private offset = 0;
  private inode: number | undefined;

  constructor(readonly file: string) {}

  /** Everything there now (the rotated copy, then the file), and positions the reader at the end. */
  async readAll(): Promise<T[]> {
    const older = await readBytes(rotatedFile(this.file), 0);
    const current = await this.readCurrent(0);
    return [...parseLines<T>(wholeLines(older.bytes).text), ...current];
  }

  /** What was appended since the last read. */
  async readNew(): Promise<T[]> {
    const stat = await fsp.stat(this.file).catch(() => undefined);
    if (!stat) return [];
    if (this.inode !== undefined && (stat.ino !== this.inode || stat.size < this.offset)) {
      // Rotated (or started afresh): the old file's rest is in the rotated copy when its inode matches.
      const rotated = await fsp.stat(rotatedFile(this.file)).catch(() => undefined);
      const rest =
        rotated && rotated.ino === this.inode
          ? parseLines<T>(wholeLines((await readBytes(rotatedFile(this.file), this.offset)).bytes).text)
          : [];
      return [...rest, ...(await this.readCurrent(0))];
    }
    return this.readCurrent(this.offset);
  }

  private async readCurrent(from: number): Promise<T[]> {
    const { bytes, ino } = await readBytes(this.file, from);
    if (ino === undefined) return [];
    const whole = wholeLines(bytes);
    this.inode = ino;
    this.offset = from + whole.bytes;
    return parseLines<T>(whole.text);
  }
}

/** The bytes up to and including the last newline, as text, and how many bytes that is. */
function wholeLines(bytes: Buffer): { text: string; bytes: number } {
  const end = bytes.lastIndexOf(0x0a) + 1;
  return { text: bytes.subarray(0, end).toString("utf8"), bytes: end };
}

async function readBytes(file: string, from: number): Promise<{ bytes: Buffer; ino?: number }> {
  let handle: Awaited<ReturnType<typeof fsp.open>>;
  try {
    handle = await fsp.open(file, "r");
  } catch {
    return { bytes: Buffer.alloc(0) };
  }
  try {
    const stat = await handle.stat();
    const length = Math.max(0, stat.size - from);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = length ? await handle.read(buffer, 0, length, from) : { bytesRead: 0 };
    return { bytes: buffer.subarray(0, bytesRead), ino: stat.ino };
  } finally {
    await handle.close();
  }
}
