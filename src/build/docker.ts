/**
 * The local build: a Docker-compatible engine (docker, finch or podman, found like `launch --local`
 * finds one; AGENTCORE_TS_CONTAINER_ENGINE picks one) builds the linux/arm64 image and pushes it to ECR. The registry password goes to
 * `login --password-stdin` and nowhere else: never an argument, never a log line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { RegistryCredentials } from "../aws/ecr.js";
import { AgentcoreError } from "../errors.js";
import { describeProbes, detectEngine as detectContainerEngine, engineHint } from "../local/engine.js";
import { PLATFORM } from "./context.js";

export interface Engine {
  /** docker, finch or podman: for messages. */
  name: string;
  /** The binary to run. */
  cli: string;
  /** `buildx` is available: one command builds for arm64 and pushes. */
  buildx: boolean;
}

interface ExecResult {
  code: number | null;
  output: string;
}

interface ExecOptions {
  env: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Called with each output line as it arrives. */
  onLine?: (line: string) => void;
}

function exec(cli: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    let output = "";
    let partial = "";
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(cli, args, { env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    } catch {
      resolve({ code: null, output: "" });
      return;
    }
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      if (output.length > 200_000) output = output.slice(-100_000);
      partial += text;
      const lines = partial.split(/\r?\n|\r/);
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") options.onLine?.(line);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", () => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, output });
    });
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      if (partial.trim() !== "") options.onLine?.(partial);
      resolve({ code, output });
    });
    child.stdin.on("error", () => {}); // the engine may exit before reading stdin
    child.stdin.end(options.input ?? "");
  });
}

export interface EngineLookup {
  engine?: Engine;
  /** Why no engine can build here (binary missing / daemon unreachable / permission denied, with its stderr). */
  problem?: string;
  hint?: string;
}

/** The first reachable engine (the same detection as `launch --local`), and whether it has buildx. */
export async function findBuildEngine(env: NodeJS.ProcessEnv): Promise<EngineLookup> {
  const detection = await detectContainerEngine(env);
  if (!detection.available) return { problem: describeProbes(detection.probes), hint: engineHint(detection.probes) };
  const buildx = await exec(detection.binary, ["buildx", "version"], { env, timeoutMs: 15_000 });
  return { engine: { name: detection.engine, cli: detection.binary, buildx: buildx.code === 0 } };
}

function tail(output: string, secret?: string, lines = 15): string {
  const redacted = secret ? output.split(secret).join("****") : output;
  return redacted.trimEnd().split(/\r?\n/).slice(-lines).join("\n");
}

export interface DockerBuild {
  contextDir: string;
  dockerfile: string;
  imageUri: string;
  credentials: RegistryCredentials;
}

/** docker login (password on stdin), then build for linux/arm64 and push. */
export async function buildAndPush(
  engine: Engine,
  build: DockerBuild,
  env: NodeJS.ProcessEnv,
  progress: (text: string) => void,
  debug: (line: string) => void,
): Promise<void> {
  const { credentials } = build;
  const login = await exec(engine.cli, ["login", "--username", credentials.username, "--password-stdin", credentials.registry], {
    env,
    input: credentials.password,
    timeoutMs: 60_000,
  });
  if (login.code !== 0) {
    throw new AgentcoreError(`${engine.name} login to ${credentials.registry} failed:\n${tail(login.output, credentials.password)}`, {
      code: "RegistryLoginFailed",
      hint: "Check that the engine is running and can reach ECR; or build in the cloud with --build codebuild.",
    });
  }
  const onLine = (line: string) => {
    const clean = line.split(credentials.password).join("****");
    debug(clean);
    progress(clean.length > 100 ? `${clean.slice(0, 97)}...` : clean);
  };
  const steps: string[][] = engine.buildx
    ? [
        [
          "buildx",
          "build",
          "--platform",
          PLATFORM,
          "--provenance=false",
          "-f",
          build.dockerfile,
          "-t",
          build.imageUri,
          "--push",
          build.contextDir,
        ],
      ]
    : [
        ["build", "--platform", PLATFORM, "-f", build.dockerfile, "-t", build.imageUri, build.contextDir],
        ["push", build.imageUri],
      ];
  for (const args of steps) {
    const result = await exec(engine.cli, args, { env, onLine });
    if (result.code !== 0) {
      const what = args[0] === "push" ? "push" : "build";
      throw new AgentcoreError(`${engine.name} ${what} of ${build.imageUri} failed:\n${tail(result.output, credentials.password)}`, {
        code: what === "push" ? "ImagePushFailed" : "ImageBuildFailed",
        hint:
          what === "build"
            ? "Fix the Dockerfile or the sources (run with --verbose for the full log). Building linux/arm64 on an x86 machine needs QEMU/binfmt; --build codebuild avoids that."
            : "Check the network and the ECR permissions (ecr:InitiateLayerUpload, ecr:PutImage).",
      });
    }
  }
}
