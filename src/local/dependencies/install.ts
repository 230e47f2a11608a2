/**
 * Runs an install's commands one after the other in the project, streaming their output to the user
 * (Output.write) and into a log file, and stops at the first that fails.
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import type { Output } from "../../ui/output.js";
import type { InstallStep } from "./types.js";

export interface StepsOutcome {
  /** The step that failed, when one did. */
  failed?: InstallStep;
  /** Its exit code, or the signal that ended it; or the spawn error. */
  status?: string;
  /** The last lines of the output. */
  tail: string;
}

function runStep(s: InstallStep, cwd: string, env: NodeJS.ProcessEnv, sink: (chunk: Buffer | string) => void, signal?: AbortSignal) {
  return new Promise<string | undefined>((resolve) => {
    const child = spawn(s.file, s.args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const abort = () => child.kill("SIGTERM");
    signal?.addEventListener("abort", abort, { once: true });
    child.stdout.on("data", sink);
    child.stderr.on("data", sink);
    child.once("error", (error) => {
      sink(`${s.display}: ${error.message}\n`);
      resolve(`could not start (${error.message})`);
    });
    child.once("close", (code, sig) => {
      signal?.removeEventListener("abort", abort);
      resolve(code === 0 ? undefined : sig ? `signal ${sig}` : `exit status ${code}`);
    });
  });
}

export async function runInstallSteps(
  steps: InstallStep[],
  options: { cwd: string; env: NodeJS.ProcessEnv; output?: Output; logFile: string; signal?: AbortSignal },
): Promise<StepsOutcome> {
  const log = createWriteStream(options.logFile, { mode: 0o600 });
  let tail = "";
  const sink = (chunk: Buffer | string) => {
    const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
    tail = (tail + text).slice(-8000);
    options.output?.write(text);
    log.write(text);
  };
  try {
    for (const s of steps) {
      if (options.signal?.aborted) return { failed: s, status: "cancelled", tail };
      sink(`$ ${s.display}\n`);
      const status = await runStep(s, options.cwd, options.env, sink, options.signal);
      if (status) return { failed: s, status, tail: tail.trimEnd().split("\n").slice(-15).join("\n") };
    }
    return { tail };
  } finally {
    log.end();
    await finished(log).catch(() => undefined);
  }
}
