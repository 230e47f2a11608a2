/**
 * listenForStop (src/core/signals.ts) in a real process, with signal-exit loaded as ora loads it on a
 * terminal: the first signal starts the stop and the process stays until it is done; a second one
 * during a slow stop ends the process with 128 + the signal number; the output closing (EPIPE/EIO)
 * runs the stop like SIGHUP.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const SIGNALS = JSON.stringify(path.join(REPO_ROOT, "dist/core/signals.js"));

/** A foreground command whose stop takes `stopMs`; prints "listening", then "stopping <signal>", then "stopped". */
function command(stopMs: number, extra = "") {
  const script = `
    import { createRequire } from "node:module";
    const require = createRequire(${JSON.stringify(path.join(REPO_ROOT, "package.json"))});
    // What ora brings in on a TTY: it re-raises a signal nobody else listens for.
    const { onExit } = require(require.resolve("signal-exit", { paths: [require.resolve("ora")] }));
    onExit(() => {});
    const { listenForStop, outputClosed } = await import(${SIGNALS});
    const stop = listenForStop();
    // What a server does in a real command: keep the process alive until its stop.
    const alive = setInterval(() => {}, 1000);
    ${extra}
    console.log("listening");
    const signal = await stop.received;
    console.log("stopping " + signal);
    await new Promise((resolve) => setTimeout(resolve, ${stopMs}));
    console.log("stopped");
    clearInterval(alive);
    stop.dispose();`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  const seen = async (text: string) => {
    while (!stdout.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, seen, exited, output: () => stdout };
}

describe("listenForStop", () => {
  it("keeps the process until the stop is done (signal-exit loaded), then it exits normally", async () => {
    const run = command(300);
    await run.seen("listening");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.output()).toBe("listening\nstopping SIGTERM\nstopped\n");
  });

  it("ends at once on a second signal during a slow stop, with 128 + the signal number", async () => {
    const run = command(60_000);
    await run.seen("listening");
    run.child.kill("SIGINT");
    await run.seen("stopping SIGINT");
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.output()).not.toContain("stopped");
  });

  it("treats closed output as SIGHUP: the stop runs, and a second closed-output report does not cut it short", async () => {
    const run = command(200, "setTimeout(() => { outputClosed(0); outputClosed(0); }, 100);");
    expect(await run.exited).toBe(0);
    expect(run.output()).toBe("listening\nstopping SIGHUP\nstopped\n");
  });
});
