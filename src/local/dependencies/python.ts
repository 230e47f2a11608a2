/**
 * A Python agent's dependencies, checked by the interpreter that will run it (python-check.ts): the
 * project's .venv/bin/python when it exists, else the python3 on PATH (src/local/agent-runner.ts runs the
 * same one). The fix never installs into an interpreter outside the project: without a .venv it creates
 * one (`python3 -m venv .venv`, which bundles pip through ensurepip: https://docs.python.org/3/library/venv.html),
 * and the agent then runs with it. uv, when on PATH, does both (`uv venv`, `uv pip install --python`:
 * https://docs.astral.sh/uv/pip/environments/).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { AgentcoreError } from "../../errors.js";
import { exists } from "../../util/fs.js";
import { which } from "../../util/which.js";
import { PYTHON_CHECK_SCRIPT } from "./python-check.js";
import { type DependencyGap, type InstallStep, step } from "./types.js";

const CHECK_TIMEOUT_MS = 30_000;
const MANIFESTS = ["requirements.txt", "pyproject.toml"] as const;

/** The project's virtual environment directory, the one place dependencies are installed into. */
export function venvDir(projectDir: string): string {
  return path.join(projectDir, ".venv");
}

/** The interpreter a process-mode Python agent runs with: .venv/bin/python when it exists, else python3 from PATH. */
export async function pythonInterpreter(projectDir: string): Promise<{ file: string; venv: boolean }> {
  const venvPython = path.join(venvDir(projectDir), "bin", "python");
  return (await exists(venvPython)) ? { file: venvPython, venv: true } : { file: "python3", venv: false };
}

interface CheckAnswer {
  executable: string;
  version: string;
  /** The interpreter is itself a virtual environment's. */
  venv: boolean;
  pip: boolean;
  requirements: string[];
  missing: Array<{ requirement: string; name: string; installed?: string }>;
  unchecked: string[];
}

/** requirements.txt or pyproject.toml: the configured one, else the nearest to the entrypoint up to the project directory. */
async function manifestOf(projectDir: string, entrypoint: string, configured: string | null | undefined): Promise<string | undefined> {
  if (configured && /(\.txt|pyproject\.toml)$/.test(configured) && (await exists(path.resolve(projectDir, configured)))) {
    return path.resolve(projectDir, configured);
  }
  const top = path.resolve(projectDir);
  for (let dir = path.dirname(path.resolve(top, entrypoint)); ; dir = path.dirname(dir)) {
    for (const name of MANIFESTS) if (await exists(path.join(dir, name))) return path.join(dir, name);
    if (dir === top || path.dirname(dir) === dir) return undefined;
  }
}

function runCheck(interpreter: string, manifest: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CheckAnswer> {
  return new Promise((resolve, reject) => {
    const child = spawn(interpreter, ["-c", PYTHON_CHECK_SCRIPT, manifest], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: CHECK_TIMEOUT_MS,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString("utf8")).slice(-4000);
    });
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new AgentcoreError(`Could not start ${interpreter} to check the agent's dependencies: ${error.message}.`, {
          code: "AgentStartFailed",
          hint: error.code === "ENOENT" ? `Is ${interpreter} installed and on PATH?` : undefined,
        }),
      ),
    );
    child.once("close", (code, signal) => {
      try {
        if (code === 0) return resolve(JSON.parse(stdout) as CheckAnswer);
      } catch {
        // reported below
      }
      reject(
        new AgentcoreError(
          `${interpreter} could not read the agent's dependencies from ${path.basename(manifest)} (${signal ? `signal ${signal}` : `exit ${code}`}).`,
          {
            code: "DependencyCheckFailed",
            hint: `Fix ${manifest}. ${interpreter} said:\n${stderr.trim().split("\n").slice(-6).join("\n")}`,
          },
        ),
      );
    });
  });
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

function installSteps(projectDir: string, manifest: string, answer: CheckAnswer, hasVenv: boolean, env: NodeJS.ProcessEnv): InstallStep[] {
  const rel = path.relative(projectDir, manifest).split(path.sep).join("/");
  const venvPython = path.join(venvDir(projectDir), "bin", "python");
  const uv = which("uv", env);
  const steps: InstallStep[] = [];
  if (!hasVenv) steps.push(uv ? step(uv, ["venv", ".venv"], "uv venv .venv") : step("python3", ["-m", "venv", ".venv"]));
  if (uv) {
    const args = ["pip", "install", "--python", ".venv/bin/python", "-r", rel];
    steps.push(step(uv, args, ["uv", ...args].join(" ")));
    return steps;
  }
  // A .venv made by uv has no pip; ensurepip installs the copy bundled with Python (offline).
  if (hasVenv && !answer.pip) steps.push(step(venvPython, ["-m", "ensurepip"], ".venv/bin/python -m ensurepip"));
  // pip reads requirements files only; a pyproject's dependencies are passed as they are listed.
  const args = rel.endsWith(".txt") ? ["-m", "pip", "install", "-r", rel] : ["-m", "pip", "install", ...answer.requirements];
  steps.push(step(venvPython, args, [".venv/bin/python", ...args.map(shellWord)].join(" ")));
  return steps;
}

export async function pythonGap(
  spec: { projectDir: string; entrypoint: string; requirementsFile?: string | null },
  env: NodeJS.ProcessEnv,
): Promise<DependencyGap | undefined> {
  const manifest = await manifestOf(spec.projectDir, spec.entrypoint, spec.requirementsFile);
  if (!manifest) return undefined;
  const interpreter = await pythonInterpreter(spec.projectDir);
  const answer = await runCheck(interpreter.file, manifest, spec.projectDir, env);
  if (answer.missing.length === 0) return undefined;
  const problems = answer.missing.map((m) =>
    m.installed === undefined ? `"${m.requirement}" is missing` : `"${m.requirement}" is not met (${m.name} ${m.installed} is installed)`,
  );
  const where = interpreter.venv
    ? "the project's .venv"
    : `the python3 on PATH${answer.venv ? ", a virtual environment outside the project" : ""}: the project has no .venv`;
  return {
    language: "python",
    dir: spec.projectDir,
    manifest: path.relative(spec.projectDir, manifest).split(path.sep).join("/"),
    runner: `${answer.executable} (Python ${answer.version}, ${where})`,
    problems,
    steps: installSteps(spec.projectDir, manifest, answer, interpreter.venv, env),
    ...(interpreter.venv
      ? {}
      : {
          createsVenv: venvDir(spec.projectDir),
          note: `agentcore-ts never installs into an interpreter outside the project: the fix is a .venv in ${spec.projectDir}, which the agent then runs with (.venv/bin/python).`,
        }),
  };
}
