/**
 * Where the agent's stdout and stderr go: the runtime reads them from pipes and writes each chunk to the
 * text log as it comes (what `tail -f` and the start-up hints read) and each line, with the time its first
 * byte arrived and its stream, to the JSON-lines log that `logs --local` reads (src/local/log-files.ts).
 * The same for a container: the engine client's stdout/stderr carry the container's output (`docker run`
 * without -d attaches to it), and the image build's output goes in too.
 */
import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { JsonLinesFile, RotatingFile } from "./log-files.js";

export type OutputStream = "stdout" | "stderr";

/** One line of the agent's output as the JSON-lines log holds it. */
export interface AgentLogEvent {
  /** ISO 8601: when the line's first byte reached the runtime. */
  time: string;
  stream: OutputStream;
  message: string;
}

/** A line without a newline is written after this long (a prompt, a progress dot) or once this long. */
const PARTIAL_LINE_MS = 500;
const MAX_LINE_CHARS = 16 * 1024;

/** Splits one stream into lines (UTF-8 safe across chunks). */
class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";
  private startedAt: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly emit: (time: string, message: string) => void) {}

  push(chunk: Buffer): void {
    this.add(this.decoder.write(chunk));
  }

  end(): void {
    this.add(this.decoder.end());
    this.flush();
  }

  private add(text: string): void {
    if (!text) return;
    const now = new Date().toISOString();
    let rest = text;
    for (let i = rest.indexOf("\n"); i >= 0; i = rest.indexOf("\n")) {
      this.emitLine(this.partial + rest.slice(0, i), this.startedAt ?? now);
      rest = rest.slice(i + 1);
    }
    if (!rest) return;
    this.startedAt ??= now;
    this.partial += rest;
    if (this.partial.length >= MAX_LINE_CHARS) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), PARTIAL_LINE_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.partial) this.emitLine(this.partial, this.startedAt!);
  }

  private emitLine(line: string, time: string): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.partial = "";
    this.startedAt = undefined;
    this.emit(time, line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}

export class AgentOutput {
  private readonly text: RotatingFile;
  private readonly events: JsonLinesFile<AgentLogEvent> | undefined;

  /**
   * `logFile`: the text log; `eventsFile`: the JSON-lines log (none: text only). `fresh`: both start empty
   * (a new runtime), otherwise they are appended to.
   */
  constructor(
    readonly logFile: string,
    readonly eventsFile: string | undefined,
    options: { fresh: boolean; maxBytes?: number },
  ) {
    this.text = new RotatingFile(logFile, options);
    this.events = eventsFile ? new JsonLinesFile(eventsFile, options) : undefined;
  }

  /** Reads a child's stdout and stderr into the logs; resolves when both have ended and their last lines are written. */
  attach(stdout: Readable | null | undefined, stderr: Readable | null | undefined): Promise<void> {
    return Promise.all([this.read(stdout, "stdout"), this.read(stderr, "stderr")]).then(() => undefined);
  }

  private read(stream: Readable | null | undefined, name: OutputStream): Promise<void> {
    if (!stream) return Promise.resolve();
    const lines = new LineSplitter((time, message) => this.events?.append({ time, stream: name, message }));
    stream.on("data", (chunk: Buffer) => {
      this.text.append(chunk);
      lines.push(chunk);
    });
    return new Promise((resolve) => {
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        lines.end();
        resolve();
      };
      stream.once("end", done);
      stream.once("close", done);
      stream.once("error", done);
    });
  }

  close(): void {
    this.text.close();
    this.events?.close();
  }
}

/** How long an exited agent's output may take to drain (a grandchild may still hold the pipe). */
const DRAIN_MS = 1_000;

/**
 * Pipes the child's stdout and stderr into `output`; resolves once the child has exited and its output is
 * in the logs (a reader of the log after the exit sees the last lines), or DRAIN_MS after the exit when
 * something else still holds its pipes. `close`: close `output` then (it is the child's own).
 */
export function exitedAndLogged(
  child: ChildProcess,
  output: AgentOutput,
  close: boolean,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const drained = output.attach(child.stdout, child.stderr);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  return exit.then(async (result) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(timer);
    if (close) output.close();
    return result;
  });
}
