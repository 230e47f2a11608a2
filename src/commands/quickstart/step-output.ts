/**
 * The Output an operation writes its progress to while it runs inside a step. The step prints its own
 * summary of what the operation returned (print.ts), so the operation's progress is detail: its
 * spinners and lines show with --verbose only, its warnings become the step's notes, and the agent's
 * streamed answer goes through, indented under the step.
 */
import type { ChalkInstance } from "chalk";
import type { Output } from "../../ui/output.js";
import { noColors } from "../../ui/style.js";

export class StepOutput implements Output {
  readonly warnings: string[] = [];
  readonly out: ChalkInstance;
  private atLineStart = true;
  private closed = false;

  constructor(private readonly parent: Output) {
    this.out = parent.out ?? noColors;
  }

  get json(): boolean {
    return this.parent.json;
  }
  get verbose(): boolean {
    return this.parent.verbose;
  }
  info(message: string): void {
    if (message !== "") this.debug(message);
  }
  success(message: string): void {
    this.debug(`✔ ${message}`);
  }
  warn(message: string): void {
    if (!this.closed) this.warnings.push(message);
  }
  debug(message: string): void {
    if (!this.closed) this.parent.debug(`    ${message}`);
  }
  write(chunk: string | Uint8Array): void {
    if (this.closed) return;
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const bar = this.out.dim("│");
    let out = "";
    for (const char of text) {
      if (this.atLineStart) out += char === "\n" ? `  ${bar}` : `  ${bar} `;
      out += char;
      this.atLineStart = char === "\n";
    }
    this.parent.write(out);
  }
  async task<T>(label: string, run: (update: (text: string) => void) => Promise<T>): Promise<T> {
    const value = await run((text) => this.debug(`${label}: ${text}`));
    this.debug(`✔ ${label}`);
    return value;
  }
  result(): void {
    // One document for the whole quickstart (the CLI prints it): an operation's own result is part of a step's facts.
  }
  /** Ends a streamed line, and drops anything an abandoned (interrupted) operation still says. */
  close(): void {
    if (!this.atLineStart) this.parent.write("\n");
    this.atLineStart = true;
    this.closed = true;
  }
}
