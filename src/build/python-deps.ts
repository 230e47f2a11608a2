/**
 * A Python agent's dependencies for the code runtime: binary wheels only, for aarch64 Linux and the
 * runtime's Python version, installed into a folder that goes to the root of the zip (the runtime
 * puts the zip's root on sys.path; developer guide: runtime-get-started-code-deploy-python).
 * uv when it is on PATH, else pip with --platform/--only-binary. Platform tags are tried as the
 * starter toolkit does (manylinux2014, then manylinux_2_17, then manylinux_2_28): current uv rejects
 * some spellings (aws/bedrock-agentcore-sdk-python#255). Indexes come from the usual variables
 * (PIP_INDEX_URL, UV_INDEX_URL, pip.conf, uv.toml): nothing here picks one.
 *
 * Installed sets are cached under AGENTCORE_TS_HOME/cache/python-deps/<hash of requirements + runtime>.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { ensureHomeDir } from "../config/home.js";
import { AgentcoreError } from "../errors.js";
import { which } from "../util/which.js";

const UV_PLATFORMS = ["aarch64-manylinux2014", "aarch64-manylinux_2_17", "aarch64-manylinux_2_28"];
const PIP_PLATFORMS = ["manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_28_aarch64"];

export interface PythonDeps {
  /** Folder whose contents go to the zip's root. */
  dir: string;
  tool: "uv" | "pip";
  cached: boolean;
}

/** `PYTHON_3_13` -> "3.13". */
export function pythonVersionOf(runtime: string): string {
  return runtime.replace(/^PYTHON_(\d+)_(\d+)$/, "$1.$2");
}

export async function installPythonDeps(options: {
  projectDir: string;
  requirementsFile: string;
  runtime: string;
  env: NodeJS.ProcessEnv;
}): Promise<PythonDeps> {
  const file = path.resolve(options.projectDir, options.requirementsFile);
  const requirements = await requirementsText(file);
  const version = pythonVersionOf(options.runtime);
  const key = createHash("sha256").update(`${version}\0${requirements}`).digest("hex").slice(0, 20);
  const cacheRoot = await ensureHomeDir(options.env, path.join("cache", "python-deps"));
  const dir = path.join(cacheRoot, key);
  const tool = which("uv", options.env) ? "uv" : "pip";
  if (
    await fsp.stat(path.join(dir, ".complete")).then(
      () => true,
      () => false,
    )
  )
    return { dir, tool, cached: true };

  const staging = `${dir}.tmp-${process.pid}`;
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.mkdir(staging, { recursive: true });
  const reqFile = path.join(staging, ".requirements.txt");
  await fsp.writeFile(reqFile, requirements);
  const target = path.join(staging, "site");
  const failures: string[] = [];
  for (let i = 0; i < UV_PLATFORMS.length; i++) {
    const args =
      tool === "uv"
        ? [
            "pip",
            "install",
            "--target",
            target,
            "--python-platform",
            UV_PLATFORMS[i]!,
            "--python-version",
            version,
            "--only-binary",
            ":all:",
            "-r",
            reqFile,
          ]
        : [
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--target",
            target,
            "--platform",
            PIP_PLATFORMS[i]!,
            "--implementation",
            "cp",
            "--python-version",
            version,
            "--only-binary=:all:",
            "-r",
            reqFile,
          ];
    const run = await runTool(tool === "uv" ? "uv" : pythonCommand(options.env), args, options.env);
    if (run.code === 0) {
      await fsp.rm(path.join(target, "bin"), { recursive: true, force: true }); // console scripts with this machine's shebangs
      await fsp.writeFile(path.join(target, ".complete"), "");
      await fsp.rm(dir, { recursive: true, force: true });
      await fsp.rename(target, dir);
      await fsp.rm(staging, { recursive: true, force: true });
      return { dir, tool, cached: false };
    }
    failures.push(run.output.trim().split("\n").slice(-4).join("\n"));
    await fsp.rm(target, { recursive: true, force: true });
  }
  await fsp.rm(staging, { recursive: true, force: true });
  throw new AgentcoreError(
    `Could not get aarch64 manylinux wheels for Python ${version} from ${options.requirementsFile} (${tool}):\n${failures.at(-1) ?? ""}`,
    {
      hint: "Every dependency needs a binary wheel for aarch64 Linux (code deployments cannot compile). Pin versions that publish one, point PIP_INDEX_URL/UV_INDEX_URL at an index that has them, or deploy a container image (configure --deploy container).",
      code: "DependencyResolveFailed",
    },
  );
}

/** requirements.txt as is; for pyproject.toml the [project] dependencies list (the toolkit also compiles it to requirements first). */
async function requirementsText(file: string): Promise<string> {
  const text = await fsp.readFile(file, "utf8").catch(() => {
    throw new AgentcoreError(`Cannot read ${file}.`, {
      hint: "Fix requirementsFile with `agentcore-ts configure --requirements-file`.",
      code: "DependencyResolveFailed",
    });
  });
  if (!file.endsWith(".toml")) return text;
  const project = /^\[project\][^[]*?^dependencies\s*=\s*\[([^\]]*)\]/ms.exec(text);
  const items = project ? [...project[1]!.matchAll(/["']([^"']+)["']/g)].map((m) => m[1]!) : [];
  return `${items.join("\n")}\n`;
}

function pythonCommand(env: NodeJS.ProcessEnv): string {
  return env.AGENTCORE_TS_PYTHON ?? "python3";
}

function runTool(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("error", (error) => resolve({ code: -1, output: `${command}: ${error.message}` }));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}
