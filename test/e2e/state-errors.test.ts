/**
 * Where state cannot be written: AGENTCORE_TS_HOME pointing at a regular file, and a read-only project
 * directory. Each is one sentence naming the path and what to do, with no stack trace and nothing
 * half-written.
 */
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, type CliResult, runCli, tempDir, testEnv } from "../support/cli.js";

/** No stack trace, no errno dump, no "--verbose" pointer: the message and its hint only. */
function expectOneSentence(result: CliResult, message: string): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines.at(-2)).toBe(`✖ ${message}`);
  expect(lines.at(-1)).toMatch(/^ {2}hint: /);
  expect(result.stderr).not.toMatch(/\n\s+at |EACCES|ENOTDIR|EEXIST|--verbose/);
}

/** Whether user nobody (65534) can read `file`: false when a parent directory is private to root. */
function nobodyCanRun(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", "require('node:fs').accessSync(process.argv[1])", file], {
      stdio: "ignore",
      uid: 65534,
      gid: 65534,
      cwd: "/",
    });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}

describe("state that cannot be written", () => {
  it("AGENTCORE_TS_HOME pointing at a regular file: reading and writing commands name it, and the file is untouched", async () => {
    const file = path.join(tempDir(), "home-is-a-file");
    await fsp.writeFile(file, "keep");
    const env = testEnv({ AGENTCORE_TS_HOME: file });
    const message = `The state directory ${file} (AGENTCORE_TS_HOME) is a file, not a directory.`;
    const [show, start] = await Promise.all([
      runCli(["token", "show"], { cwd: tempDir(), env }),
      runCli(["cognito", "local", "start", "--detach"], { cwd: tempDir(), env }),
    ]);
    expectOneSentence(show, message);
    expectOneSentence(start, message);
    expect(await fsp.readFile(file, "utf8")).toBe("keep");
  });

  it("a read-only project directory: configure names the file it could not write and writes nothing", async (context) => {
    // root writes through any mode, so as root the CLI runs as nobody — which needs to reach the built CLI. A checkout
    // under a private directory (mktemp -d is 0700) hides it from nobody: nothing to test there, say so and skip.
    if (process.getuid?.() === 0 && !(await nobodyCanRun(BIN))) {
      context.skip("running as root in a checkout that user nobody cannot read: no way to get EACCES here");
    }
    const dir = tempDir("agentcore-ts-readonly-");
    await fsp.writeFile(path.join(dir, "agent.py"), "print('hi')\n");
    await fsp.chmod(dir, 0o555);
    const home = tempDir("agentcore-ts-home-");
    // root writes through any mode: run as nobody then (its own HOME and AGENTCORE_TS_HOME).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await fsp.chown(home, 65534, 65534);
    const env = testEnv({ HOME: home, AGENTCORE_TS_HOME: path.join(home, "state") });
    const result = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, "configure", "--entrypoint", "agent.py", "--non-interactive"], {
        cwd: dir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expectOneSentence(result, `Cannot write ${path.join(dir, "Dockerfile")}: permission denied.`);
    expect(result.stderr).toContain("a directory you can write to");
    expect(await fsp.readdir(dir)).toEqual(["agent.py"]);
  });
});
