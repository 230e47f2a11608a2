/** Shared bits of the invoke tests: project directories with a config, and a CLI run whose stdout can be watched live. */
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { RecordedRequest } from "../fakes/sigv4-runtime.js";
import { BIN, tempDir } from "../support/cli.js";

export const JWT_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/jwt_agent-AbCdEf1234";
export const IAM_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/iam_agent-XyZ9876543";
export const DISCOVERY_URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool/.well-known/openid-configuration";
export const CLIENT_ID = "4example0client0id0abcdefg";

/** A project with two deployed agents: jwt_agent (customJWTAuthorizer, allowedClients) and iam_agent (SigV4). */
export async function projectDir(overrides: Record<string, unknown> = {}): Promise<string> {
  const dir = tempDir("agentcore-ts-invoke-");
  const config = {
    version: 1,
    defaultAgent: "jwt_agent",
    agents: {
      jwt_agent: {
        name: "jwt_agent",
        entrypoint: "agent.py",
        language: "python",
        authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: DISCOVERY_URL, allowedClients: [CLIENT_ID] } },
        deployment: { runtimeArn: JWT_ARN, runtimeId: "jwt_agent-AbCdEf1234" },
      },
      iam_agent: {
        name: "iam_agent",
        entrypoint: "agent.py",
        language: "python",
        deployment: { runtimeArn: IAM_ARN, runtimeId: "iam_agent-XyZ9876543" },
      },
    },
    ...overrides,
  };
  await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(config, null, 2));
  return dir;
}

export interface LiveRun {
  /** Resolves once stdout contains `text`. */
  waitForStdout(text: string, timeoutMs?: number): Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs the built CLI and lets the test watch stdout while the process is still running. */
export function runCliLive(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): LiveRun {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (data: string) => {
    stdout += data;
    for (const waiter of waiters.splice(0)) {
      if (stdout.includes(waiter.text)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (data: string) => (stderr += data));
  child.stdin.end();
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return {
    done,
    waitForStdout(text, timeoutMs = 10_000) {
      if (stdout.includes(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`stdout never showed ${JSON.stringify(text)}; so far: ${JSON.stringify(stdout)}; stderr: ${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/** The "prompt" of a recorded request's JSON body ("" when there is none): tests pick scenarios by prompt. */
export function promptOf(request: RecordedRequest): string {
  try {
    return String((JSON.parse(request.body) as { prompt?: unknown }).prompt ?? "");
  } catch {
    return "";
  }
}
