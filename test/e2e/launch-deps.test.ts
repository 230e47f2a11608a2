/**
 * `launch --local --process` checks the agent's dependencies before it starts anything: without a
 * terminal a missing one is an error naming the interpreter and the command; `--install` installs it; on a
 * terminal the user is asked; under --watch a changed package.json is re-checked before the reload. Real
 * installers, no registry: npm installs `file:` packages from directories next to the project, pip installs a
 * hand-built wheel from a loopback index (test/support/python-index.ts). The built binary; prompts on a real pty.
 */
import { spawnSync } from "node:child_process";
import { existsSync, promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readLocalRuntime } from "../../src/local/runtime-state.js";
import { AGENT_SCRIPT, FIXTURES, isAlive, post, SIGV4_HEADER, waitFor } from "../local/gateway-helpers.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";
import { KEY, type PtySession, runCliInPty } from "../support/pty.js";
import { startTinyIndex, TINYDEP_AGENT } from "../support/python-index.js";
import { killLocalLaunch, type LaunchedLocal, startLocalLaunch } from "./launch-helpers.js";

const AGENT = "deps_agent";
const FAKE_DOCKER_DIR = path.resolve(FIXTURES, "../fake-docker");
const LAUNCH = ["launch", "--local", "--process", "--port", "0", "--agent-port", "0"];

/** Writes a marker before it needs its dependency: the marker's absence shows the agent was never started. */
const NODE_AGENT = `require("node:fs").writeFileSync("started", "");
const greeting = require("tinypkg");
require("node:http")
  .createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(req.url === "/ping" ? { status: "Healthy" } : { result: greeting }));
  })
  .listen(Number(process.env.PORT), "127.0.0.1");
`;

// uv is not used here even when installed: the tests feed pip through PIP_INDEX_URL.
const PATH_WITHOUT_UV = (process.env.PATH ?? "")
  .split(path.delimiter)
  .filter((p) => !existsSync(path.join(p, "uv")))
  .join(path.delimiter);
const venvWorks = spawnSync("python3", ["-c", "import venv, ensurepip"]).status === 0;

async function project(
  files: Record<string, string>,
  agent: Record<string, unknown>,
  dir = tempDir("agentcore-ts-deps-"),
): Promise<string> {
  for (const [name, text] of Object.entries(files)) await fsp.writeFile(path.join(dir, name), text);
  const config = { version: 1, defaultAgent: AGENT, agents: { [AGENT]: { name: AGENT, ...agent } } };
  await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(config));
  return dir;
}

/** A local package directory next to the project (npm installs `file:` packages without a registry). */
async function localPackage(root: string, name: string): Promise<void> {
  await fsp.mkdir(path.join(root, name));
  await fsp.writeFile(path.join(root, name, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
  await fsp.writeFile(path.join(root, name, "index.js"), `module.exports = "hello from ${name}";\n`);
}

const manifest = (...names: string[]) =>
  JSON.stringify({
    name: "deps-agent",
    version: "1.0.0",
    private: true,
    dependencies: Object.fromEntries(names.map((n) => [n, `file:../${n}`])),
  });

/** A project whose package.json depends on ../tinypkg. */
async function nodeProject(): Promise<string> {
  const root = tempDir("agentcore-ts-deps-node-");
  await localPackage(root, "tinypkg");
  await fsp.mkdir(path.join(root, "agent"));
  return project(
    { "agent.js": NODE_AGENT, "package.json": manifest("tinypkg") },
    { entrypoint: "agent.js", language: "node", requirementsFile: "package.json" },
    path.join(root, "agent"),
  );
}

async function invoke(env: NodeJS.ProcessEnv): Promise<unknown> {
  const record = await readLocalRuntime(env, AGENT);
  const answer = await post(`${record!.gatewayUrl}/runtimes/${AGENT}/invocations`, { prompt: "hi" }, { authorization: SIGV4_HEADER });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function runPty(cwd: string, env: NodeJS.ProcessEnv, during: (pty: PtySession) => Promise<void>) {
  const pty = runCliInPty(LAUNCH, { cwd, env });
  try {
    await during(pty);
    return await pty.done;
  } finally {
    pty.kill();
    // An agent left by a failed test (its own process group: nothing else stops it).
    const agentPid = (await readLocalRuntime(env, AGENT))?.agentPid;
    if (agentPid && isAlive(agentPid)) process.kill(-agentPid, "SIGKILL");
  }
}

describe("launch --local: a Node agent's dependencies", () => {
  const nodeEnv = () => testEnv({ PATH: PATH_WITHOUT_UV, npm_config_update_notifier: "false" });

  it("without a terminal: an error naming node, what is missing and `npm install`; nothing started", async () => {
    const env = nodeEnv();
    const dir = await nodeProject();
    const result = await runCli(LAUNCH, { cwd: dir, env });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain(
      `The agent's dependencies (${dir}/package.json) are not all installed: "tinypkg" is missing (there is no node_modules). It would run with node ${process.versions.node} (${process.execPath}).`,
    );
    expect(result.stderr).toContain(
      `Run \`npm install --no-audit --no-fund\` in ${dir}, or pass --install to have agentcore-ts run it (there is no terminal to ask on).`,
    );
    expect(existsSync(path.join(dir, "started"))).toBe(false);
    expect(existsSync(path.join(dir, "node_modules"))).toBe(false);
    expect(await readLocalRuntime(env, AGENT)).toBeUndefined();
  });

  it("--install runs npm install, then the agent answers; node_modules older than the new lockfile is found", async () => {
    const env = nodeEnv();
    const dir = await nodeProject();
    let stdout = "";
    const launched = await startLocalLaunch(
      ["--process", "--install", "--port", "0", "--agent-port", "0"],
      { cwd: dir, env, agentName: AGENT },
      (s, d) => {
        if (s === "stdout") stdout += d;
      },
    );
    try {
      expect(stdout).toContain(`Installing the agent's dependencies in ${dir}: npm install --no-audit --no-fund`);
      expect(stdout).toMatch(/added 1 package/);
      expect(stdout).toContain("Installed the agent's dependencies (npm install --no-audit --no-fund)");
      expect(await invoke(env)).toEqual({ result: "hello from tinypkg" });
    } finally {
      launched.child.kill("SIGTERM");
      await launched.exited;
      await killLocalLaunch(launched);
    }

    // A pull brings a lockfile that wants tinypkg 2.0.0; node_modules (installed an hour ago) holds 1.0.0.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await fsp.utimes(path.join(dir, "node_modules", ".package-lock.json"), anHourAgo, anHourAgo);
    const lockfile = path.join(dir, "package-lock.json");
    const lock = JSON.parse(await fsp.readFile(lockfile, "utf8")) as { packages: Record<string, { version?: string }> };
    expect(lock.packages["../tinypkg"]?.version).toBe("1.0.0");
    lock.packages["../tinypkg"]!.version = "2.0.0";
    await fsp.writeFile(lockfile, JSON.stringify(lock, null, 2));
    const stale = await runCli(LAUNCH, { cwd: dir, env });
    expect(stale.code, stale.stdout + stale.stderr).toBe(1);
    expect(stale.stderr).toContain("are not all installed: node_modules is older than package-lock.json and does not hold what it lists.");
    expect(stale.stderr).toContain(`Run \`npm ci --no-audit --no-fund\` in ${dir}`);
  }, 60_000);

  it("on a terminal, answered no: the same error, nothing installed or started", async () => {
    const env = nodeEnv();
    const dir = await nodeProject();
    const result = await runPty(dir, env, async (pty) => {
      await pty.waitFor('"tinypkg" is missing (there is no node_modules)');
      await pty.answer(`Install them now with \`npm install --no-audit --no-fund\` in ${dir}?`, `n${KEY.enter}`);
    });
    expect(result.code, result.text).toBe(1);
    expect(result.text).toContain("are not all installed");
    expect(result.text).toContain("or pass --install to have agentcore-ts run it.");
    expect(existsSync(path.join(dir, "node_modules"))).toBe(false);
    expect(existsSync(path.join(dir, "started"))).toBe(false);
  }, 30_000);
});

describe("launch --local --watch: a changed package.json", () => {
  const env = testEnv({ PATH: PATH_WITHOUT_UV, npm_config_update_notifier: "false" });
  let launched: LaunchedLocal | undefined;
  afterEach(async () => {
    const now = await readLocalRuntime(env, AGENT).catch(() => undefined);
    await killLocalLaunch(launched, [now?.agentPid]);
    launched = undefined;
  });

  /** Starts the watch, then adds tinypkg2 to package.json (and, with --install, has the agent use it). */
  async function watchAndAddDependency(flags: string[], prepare?: (dir: string) => void) {
    const dir = await nodeProject();
    prepare?.(dir);
    let stdout = "";
    let stderr = "";
    launched = await startLocalLaunch(
      ["--process", "--watch", ...flags, "--port", "0", "--agent-port", "0"],
      { cwd: dir, env, agentName: AGENT },
      (s, d) => {
        if (s === "stdout") stdout += d;
        else stderr += d;
      },
    );
    await localPackage(path.dirname(dir), "tinypkg2");
    await fsp.writeFile(path.join(dir, "package.json"), manifest("tinypkg", "tinypkg2"));
    if (flags.includes("--install"))
      await fsp.writeFile(path.join(dir, "agent.js"), NODE_AGENT.replace('require("tinypkg")', 'require("tinypkg2")'));
    return { dir, out: () => stdout, err: () => stderr };
  }

  it("with --install: installed before the reload, and the new code runs", async () => {
    const { out } = await watchAndAddDependency(["--install"]);
    // Polled: a request in flight when the old agent is stopped gets 424 (it does not finish on SIGTERM).
    const record = await readLocalRuntime(env, AGENT);
    const url = `${record!.gatewayUrl}/runtimes/${AGENT}/invocations`;
    await waitFor(
      async () => (await post(url, { prompt: "hi" }, { authorization: SIGV4_HEADER })).body.result === "hello from tinypkg2" || undefined,
      30_000,
      "the reloaded agent",
    );
    expect(out().match(/Installed the agent's dependencies \(npm install --no-audit --no-fund\)/g)).toHaveLength(2);
    expect(out()).toMatch(/reloaded \((agent\.js, )?package\.json/);
  }, 60_000);

  it("without --install: the reload fails with the command to run, and the agent from before keeps serving", async () => {
    const { err } = await watchAndAddDependency([], (dir) => {
      expect(spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, env }).status).toBe(0);
    });
    await waitFor(async () => err().includes("Still watching") || undefined, 30_000, "the failed reload");
    expect(err()).toMatch(
      /reload failed \(package\.json changed\): The agent's dependencies .* are not all installed: "tinypkg2" is missing/,
    );
    expect(err()).toContain("Run `npm install --no-audit --no-fund` in");
    expect(err()).toContain("Still watching: the agent from before keeps serving; the next change reloads it.");
    expect(await invoke(env)).toEqual({ result: "hello from tinypkg" });
  }, 60_000);
});

describe("launch --local: a container", () => {
  it("is not checked (its image build installs): it starts with no node_modules, and --install says it does nothing", async () => {
    const env = testEnv({
      PATH: `${FAKE_DOCKER_DIR}:${PATH_WITHOUT_UV}`,
      FAKE_DOCKER_AGENT: AGENT_SCRIPT,
      FAKE_DOCKER_STATE_DIR: tempDir("agentcore-ts-fake-docker-"),
    });
    const dir = await nodeProject();
    await fsp.writeFile(path.join(dir, "Dockerfile"), "FROM scratch\n");
    let stdout = "";
    let stderr = "";
    const launched = await startLocalLaunch(
      ["--install", "--port", "0", "--agent-port", "0"],
      { cwd: dir, env, agentName: AGENT },
      (s, d) => {
        if (s === "stdout") stdout += d;
        else stderr += d;
      },
    );
    try {
      expect(launched.record.mode).toBe("container");
      expect(stderr).toContain("--install has no effect on a container: its image build installs the dependencies");
      expect(stdout).not.toContain("Installing the agent's dependencies");
      expect(existsSync(path.join(dir, "node_modules"))).toBe(false);
    } finally {
      launched.child.kill("SIGTERM");
      await launched.exited;
      await killLocalLaunch(launched);
    }
  }, 30_000);
});

const PYTHON_TITLE = "launch --local: a Python agent's dependencies";
describe.skipIf(!venvWorks)(venvWorks ? PYTHON_TITLE : `${PYTHON_TITLE} (skipped: python3 cannot create a venv with pip here)`, () => {
  let index: Awaited<ReturnType<typeof startTinyIndex>>;
  beforeAll(async () => {
    index = await startTinyIndex();
  });
  afterAll(() => index?.close());
  const pyEnv = () =>
    testEnv({
      PATH: PATH_WITHOUT_UV,
      PIP_INDEX_URL: index.url,
      PIP_TRUSTED_HOST: "127.0.0.1",
      PIP_NO_CACHE_DIR: "1",
      PIP_CONFIG_FILE: "/dev/null",
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
    });

  const pythonProject = (requirements: string) =>
    project(
      { "agent.py": `import sys\nopen("started", "w").write(sys.executable)\n${TINYDEP_AGENT}`, "requirements.txt": requirements },
      { entrypoint: "agent.py", language: "python", requirementsFile: "requirements.txt" },
    );

  it("without a terminal and without a .venv: names the system python3, says a .venv is the fix and the command", async () => {
    const env = pyEnv();
    const dir = await pythonProject("tinydep==0.1.0\n");
    const result = await runCli(LAUNCH, { cwd: dir, env });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /are not all installed: "tinydep==0\.1\.0" is missing\. It would run with \/\S+ \(Python 3[\d.]+, the python3 on PATH: the project has no \.venv\)\./,
    );
    expect(result.stderr).toContain("agentcore-ts never installs into an interpreter outside the project: the fix is a .venv in");
    expect(result.stderr).toContain(
      `Run \`python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt\` in ${dir}, or pass --install`,
    );
    expect(existsSync(path.join(dir, ".venv"))).toBe(false);
    expect(existsSync(path.join(dir, "started"))).toBe(false);
  });

  it("on a terminal, answered yes: creates .venv, pip installs from the loopback index, and the agent answers", async () => {
    const env = pyEnv();
    const dir = await pythonProject("tinydep==0.1.0\n");
    const result = await runPty(dir, env, async (pty) => {
      await pty.answer(
        /Install them now with `python3 -m venv \.venv && \.venv\/bin\/python -m pip install -r requirements\.txt` in/,
        `y${KEY.enter}`,
      );
      await pty.waitFor("Successfully installed tinydep-0.1.0", 60_000);
      await pty.waitFor("Press Ctrl-C to stop.", 60_000);
      expect(await invoke(env)).toEqual({ result: "hello from tinydep: hi" });
      pty.send(KEY.ctrlC);
    });
    expect(result.code, result.text).toBe(0);
    // The agent ran with the new .venv's interpreter.
    expect(await fsp.readFile(path.join(dir, "started"), "utf8")).toBe(path.join(dir, ".venv", "bin", "python"));
    expect(spawnSync(path.join(dir, ".venv", "bin", "python"), ["-c", "import tinydep"]).status).toBe(0);
  }, 120_000);

  it("Ctrl-C on a terminal during the install: stopped (exit 130), and the .venv it created removed", async () => {
    const env = pyEnv();
    const dir = await pythonProject("stalled==1.0\n");
    const result = await runPty(dir, env, async (pty) => {
      await pty.answer(/Install them now with/, `y${KEY.enter}`);
      await pty.waitFor("Looking in indexes:", 60_000);
      pty.send(KEY.ctrlC);
    });
    expect(result.code, result.text).toBe(130);
    expect(result.text).toContain(
      "Stopped while installing the agent's dependencies (.venv/bin/python -m pip install -r requirements.txt).",
    );
    expect(result.text).toContain("The .venv this install created was removed again: the project is as it was before.");
    expect(existsSync(path.join(dir, ".venv"))).toBe(false);
    expect(existsSync(path.join(dir, "started"))).toBe(false);
  }, 90_000);

  it("--install that fails: the installer's exit status and output, and the .venv it created removed", async () => {
    const env = pyEnv();
    const dir = await pythonProject("tinydep==0.1.0\nnot-on-the-index==1.0\n");
    const result = await runCli([...LAUNCH, "--install"], { cwd: dir, env, timeoutMs: 90_000 });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain("$ python3 -m venv .venv");
    expect(result.stderr).toContain(
      "Installing the agent's dependencies failed: `.venv/bin/python -m pip install -r requirements.txt` ended with exit status 1.",
    );
    expect(result.stderr).toContain("The .venv this install created was removed again: the project is as it was before.");
    expect(result.stderr).toMatch(/Last lines:[\s\S]*No matching distribution found for not-on-the-index==1\.0/);
    expect(existsSync(path.join(dir, ".venv"))).toBe(false);
    expect(existsSync(path.join(dir, "started"))).toBe(false);
  }, 100_000);
});
