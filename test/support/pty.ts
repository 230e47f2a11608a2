/**
 * Runs the built CLI on a real pseudo-terminal, for end-to-end tests of prompts: util-linux
 * `script` allocates the PTY, so the CLI sees a TTY on stdin/stdout and @inquirer prompts. Tests
 * wait for each prompt's text before typing the answer (`answer`), never for a fixed time.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { BIN, testEnv } from "./cli.js";

/** Keys for prompts: Enter, arrows, Ctrl-C. */
export const KEY = { enter: "\r", down: "\u001b[B", up: "\u001b[A", ctrlC: "\u0003" } as const;

// CSI sequences (colours, cursor moves), OSC sequences and other two-byte escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

export interface PtyResult {
  code: number | null;
  /** Everything the terminal showed, raw (with escape codes). */
  raw: string;
  /** The same without escape codes. */
  text: string;
}

export interface PtyOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Terminal width (default 400); 0 is what `script` or `docker exec -t` without a size report. */
  columns?: number;
}

export class PtySession {
  private readonly child: ChildProcessWithoutNullStreams;
  private raw = "";
  /** Position in the stripped output up to which `waitFor` has consumed. */
  private cursor = 0;
  private waiters: (() => void)[] = [];
  readonly done: Promise<PtyResult>;

  constructor(args: string[], options: PtyOptions) {
    // A wide terminal by default, so prompts are not wrapped at 80 columns.
    const command = `stty cols ${options.columns ?? 400} rows 60 2>/dev/null; exec ${[process.execPath, BIN, ...args].map(shellQuote).join(" ")}`;
    this.child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: options.cwd,
      env: { TERM: "xterm", ...(options.env ?? testEnv()) },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.raw += chunk;
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.raw += chunk;
    });
    this.done = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code) => {
        for (const wake of this.waiters.splice(0)) wake();
        resolve({ code, raw: this.raw, text: stripAnsi(this.raw) });
      });
    });
  }

  get text(): string {
    return stripAnsi(this.raw);
  }

  /** Resolves when `pattern` appears in output not yet consumed; fails after `timeoutMs` showing the screen. */
  async waitFor(pattern: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(this.cursor);
      const index = typeof pattern === "string" ? rest.indexOf(pattern) : rest.search(pattern);
      if (index >= 0) {
        const length = typeof pattern === "string" ? pattern.length : (rest.slice(index).match(pattern)?.[0].length ?? 0);
        this.cursor += index + length;
        return;
      }
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${String(pattern)} on the terminal. It shows:\n${this.text}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(200, deadline - Date.now())));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Types keys into the terminal. */
  send(keys: string): void {
    this.child.stdin.write(keys);
  }

  /** Waits for the prompt, lets it settle into raw mode, then types `keys` (add KEY.enter yourself). */
  async answer(prompt: string | RegExp, keys: string): Promise<void> {
    await this.waitFor(prompt);
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.send(keys);
  }

  /** The CLI's pid (`script`'s child: the shell exec'd into node), for signals a terminal cannot type (SIGTERM, SIGHUP). */
  cliPid(): number | undefined {
    if (this.child.pid === undefined) return undefined;
    const found = spawnSync("pgrep", ["-P", String(this.child.pid)], { encoding: "utf8" })
      .stdout.trim()
      .split("\n")[0];
    return found ? Number(found) : undefined;
  }

  /** Closes the terminal under the CLI (kills only `script`, the pty's master side): the kernel hangs up the CLI, as a closed window does. */
  closeTerminal(): void {
    this.child.kill("SIGKILL");
  }

  kill(): void {
    if (this.child.exitCode !== null) return;
    // The CLI runs in its own session under `script` and outlives it when stuck: kill it first, by parent pid.
    if (this.child.pid !== undefined) spawnSync("pkill", ["-KILL", "-P", String(this.child.pid)]);
    this.child.kill("SIGKILL");
  }
}

/** Starts `agentcore-ts <args>` on a pseudo-terminal. Call `kill()` in a finally/afterEach. */
export function runCliInPty(args: string[], options: PtyOptions): PtySession {
  return new PtySession(args, options);
}
