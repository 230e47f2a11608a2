/** Starts `agentcore-ts launch --local …` (the built binary) and waits until it serves. */
import { type ChildProcess, spawn } from "node:child_process";
import { type LocalRuntimeRecord, readLocalRuntime } from "../../src/local/runtime-state.js";
import { isAlive, waitFor } from "../local/gateway-helpers.js";
import { BIN } from "../support/cli.js";

export interface LaunchedLocal {
  child: ChildProcess;
  exited: Promise<number | null>;
  record: LocalRuntimeRecord;
}

export async function startLocalLaunch(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; agentName: string },
  onOutput: (stream: "stdout" | "stderr", chunk: string) => void,
): Promise<LaunchedLocal> {
  let stdout = "";
  let stderr = "";
  const child = spawn(process.execPath, [BIN, "launch", "--local", ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    onOutput("stdout", d);
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    onOutput("stderr", d);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const record = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`launch --local exited early (${child.exitCode}):\n${stdout}\n${stderr}`);
      return stdout.includes("Press Ctrl-C to stop.") ? readLocalRuntime(options.env, options.agentName) : undefined;
    },
    25_000,
    "launch --local to be ready",
  );
  return { child, exited, record };
}

/** After the tests: SIGKILL a launch still running and its agents (own process groups, so nothing else stops them). */
export async function killLocalLaunch(launched: LaunchedLocal | undefined, agentPids: Array<number | undefined> = []): Promise<void> {
  if (!launched) return;
  if (launched.child.exitCode === null) {
    launched.child.kill("SIGKILL");
    await launched.exited;
  }
  for (const pid of [launched.record.agentPid, ...agentPids]) {
    if (pid && isAlive(pid)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}
