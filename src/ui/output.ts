/**
 * The output sink operations write to. Operations never touch the console: they call these methods,
 * and the CLI decides what reaches the terminal. With --json, stdout carries exactly one JSON
 * document (written by `result`), human lines are suppressed and warnings go to stderr.
 */
import type { ChalkInstance } from "chalk";
import { formatElapsed } from "./format.js";
import { colorsFor } from "./style.js";

export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours for text on stdout, as ui/style.ts decides for it (none on a pipe or with NO_COLOR); absent: no colours. */
  readonly out?: ChalkInstance;
  /** A human-readable line (stdout; suppressed with --json). */
  info(message: string): void;
  /** A completed step (stdout with a tick; suppressed with --json). */
  success(message: string): void;
  /** A warning (stderr, always). */
  warn(message: string): void;
  /** Detail only shown with --verbose (stderr). */
  debug(message: string): void;
  /** Raw bytes/text to stdout as they come (streamed agent output). Suppressed with --json. */
  write(chunk: string | Uint8Array): void;
  /** Runs a step with a spinner on a TTY (never with --json); reports elapsed time when done. */
  task<T>(label: string, run: (update: (text: string) => void) => Promise<T>): Promise<T>;
  /**
   * The command's machine-readable result: printed as one JSON document with --json, ignored otherwise.
   * `line`: compact, on one line, for a stream of documents (`logs --follow --json`: one per event, as jq
   * and line-by-line readers take them).
   */
  result(document: unknown, options?: { line?: boolean }): void;
}

export interface ConsoleOutputOptions {
  json: boolean;
  verbose: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export class ConsoleOutput implements Output {
  readonly json: boolean;
  readonly verbose: boolean;
  private readonly stdout: NodeJS.WriteStream;
  private readonly stderr: NodeJS.WriteStream;
  private readonly env: NodeJS.ProcessEnv;
  readonly out: ChalkInstance;
  readonly err: ChalkInstance;

  constructor(options: ConsoleOutputOptions) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.env = options.env ?? process.env;
    this.out = colorsFor(this.stdout, this.env);
    this.err = colorsFor(this.stderr, this.env);
  }

  info(message: string): void {
    if (!this.json) this.stdout.write(`${message}\n`);
  }

  success(message: string): void {
    if (!this.json) this.stdout.write(`${this.out.green("✔")} ${message}\n`);
  }

  warn(message: string): void {
    this.stderr.write(`${this.err.yellow("⚠")} ${message}\n`);
  }

  debug(message: string): void {
    if (this.verbose) this.stderr.write(`${this.err.dim(message)}\n`);
  }

  write(chunk: string | Uint8Array): void {
    if (!this.json) this.stdout.write(chunk);
  }

  async task<T>(label: string, run: (update: (text: string) => void) => Promise<T>): Promise<T> {
    const started = performance.now();
    // A terminal that reports 0 columns (`script` or `docker exec -t` without a size) is no place for a
    // spinner: ora divides by the width and would clear lines forever.
    const spin =
      !this.json && this.stderr.isTTY === true && (this.stderr.columns ?? 80) > 0 && this.env.CI !== "true" && this.env.CI !== "1";
    if (!spin) {
      const value = await run((text) => this.debug(`  ${text}`));
      if (!this.json)
        this.stdout.write(`${this.out.green("✔")} ${label} ${this.out.dim(`(${formatElapsed(performance.now() - started)})`)}\n`);
      return value;
    }
    const { default: ora } = await import("ora");
    // ora colours its frames and symbols through its own chalk, which ignores NO_COLOR: follow our colour decision.
    // discardStdin off: ora's stdin discarder puts the terminal in raw mode but never reads a stdin nobody
    // resumed, so Ctrl-C was swallowed and a wait could not be interrupted; in cooked mode ^C is a SIGINT.
    const spinner = ora({ text: label, stream: this.stderr, color: this.err.level > 0 ? "cyan" : false, discardStdin: false }).start();
    const timer = setInterval(() => {
      spinner.suffixText = this.err.dim(formatElapsed(performance.now() - started));
    }, 250);
    try {
      const value = await run((text) => {
        spinner.text = `${label}: ${text}`;
      });
      clearInterval(timer);
      spinner.suffixText = "";
      spinner.stop();
      this.stdout.write(`${this.out.green("✔")} ${label} ${this.out.dim(`(${formatElapsed(performance.now() - started)})`)}\n`);
      return value;
    } catch (error) {
      clearInterval(timer);
      spinner.suffixText = "";
      spinner.stopAndPersist({
        symbol: this.err.red("✖"),
        text: `${label} ${this.err.dim(`(${formatElapsed(performance.now() - started)})`)}`,
      });
      throw error;
    }
  }

  result(document: unknown, options?: { line?: boolean }): void {
    if (this.json) this.stdout.write(`${options?.line ? JSON.stringify(document) : JSON.stringify(document, null, 2)}\n`);
  }
}

/** An Output that records everything: for tests of operations. */
export class MemoryOutput implements Output {
  readonly lines: string[] = [];
  readonly warnings: string[] = [];
  readonly debugs: string[] = [];
  written = "";
  results: unknown[] = [];
  constructor(
    readonly json = false,
    readonly verbose = false,
  ) {}
  info(message: string): void {
    this.lines.push(message);
  }
  success(message: string): void {
    this.lines.push(`✔ ${message}`);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  debug(message: string): void {
    this.debugs.push(message);
  }
  write(chunk: string | Uint8Array): void {
    this.written += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  }
  async task<T>(label: string, run: (update: (text: string) => void) => Promise<T>): Promise<T> {
    const value = await run((text) => this.debugs.push(`${label}: ${text}`));
    this.lines.push(`✔ ${label}`);
    return value;
  }
  result(document: unknown): void {
    this.results.push(document);
  }
}
