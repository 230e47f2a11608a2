/**
 * Shared pieces of the local-runtime tests: the fixture agent as a real child process on loopback,
 * and small HTTP helpers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, tempDir } from "../support/cli.js";

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/local-agent");
export const AGENT_SCRIPT = path.join(FIXTURES, "agent.mjs");
export const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
export const SIGV4_HEADER =
  "AWS4-HMAC-SHA256 Credential=AKIATESTTESTTESTTEST/20260101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef";

/**
 * A project directory whose .agentcore.json holds one agent (the default agent). `entrypoint` may be
 * absolute (made relative to the project, as configure stores it); it defaults to the fixture agent.
 */
export async function writeAgentProject(
  agent: { name?: string; entrypoint?: string } & Record<string, unknown> = {},
  prefix = "agentcore-ts-local-",
): Promise<string> {
  const dir = tempDir(prefix);
  const name = agent.name ?? "my_agent";
  const entrypoint = agent.entrypoint ?? AGENT_SCRIPT;
  const config = {
    version: 1,
    defaultAgent: name,
    agents: {
      [name]: { language: "node", ...agent, name, entrypoint: path.isAbsolute(entrypoint) ? path.relative(dir, entrypoint) : entrypoint },
    },
  };
  await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(config));
  return dir;
}

export interface TestAgent {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the fixture agent (a real node process) and waits for GET /ping. */
export async function startTestAgent(port?: number): Promise<TestAgent> {
  const agentPort = port ?? (await freePort());
  const child = spawn(process.execPath, [AGENT_SCRIPT], { env: { ...process.env, PORT: String(agentPort) }, stdio: "ignore" });
  const url = `http://127.0.0.1:${agentPort}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  return {
    url,
    port: agentPort,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      });
    },
  };
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (SSE)
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
