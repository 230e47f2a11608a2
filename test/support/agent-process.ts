/**
 * An example agent (examples/<name>/src/agent.ts) as a real process on loopback: started with tsx on a free
 * port, waited for until its health URL answers 200, stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { freePort, REPO_ROOT, testEnv } from "./cli.js";

export interface ExampleAgent {
  url: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  logs(): string;
  stop(): Promise<void>;
}

export interface ExampleOptions {
  /** The folder under examples/. */
  example: string;
  /** Path polled until it answers 200 (default /ping). */
  healthPath?: string;
  env?: NodeJS.ProcessEnv;
  port?: number;
}

export async function startExample(options: ExampleOptions): Promise<ExampleAgent> {
  const port = options.port ?? (await freePort());
  const cwd = path.join(REPO_ROOT, "examples", options.example);
  const child = spawn(process.execPath, ["--import", "tsx", path.join("src", "agent.ts")], {
    cwd,
    env: testEnv({ PORT: String(port), HOST: "127.0.0.1", AGENT_TEST_HOOKS: "1", ...options.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (logs += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (logs += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.example} exited with ${child.exitCode}:\n${logs}`);
    if (Date.now() > deadline) throw new Error(`${options.example} not healthy in time:\n${logs}`);
    try {
      if ((await fetch(`${url}${options.healthPath ?? "/ping"}`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    port,
    child,
    exited,
    logs: () => logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The `data:` payloads of an SSE body, JSON-decoded, and how many network reads carried data. */
export async function readSseJson(response: Response): Promise<{ data: unknown[]; reads: number }> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const data: unknown[] = [];
  let reads = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let sawData = false;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of frame.split("\n")) {
        if (line.startsWith("data:")) {
          data.push(JSON.parse(line.slice(5).trim()));
          sawData = true;
        }
      }
    }
    if (sawData) reads++;
  }
  return { data, reads };
}
