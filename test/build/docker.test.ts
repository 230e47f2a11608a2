/**
 * The docker build path of `launch`, end to end through the built CLI, with a recording stand-in
 * `docker` first on PATH (no engine runs here): the arguments (linux/arm64, buildx --push or
 * build + push), the ECR password on stdin and never in argv or output, and engine detection.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFakes, startAwsFakes } from "../fakes/aws-fakes.js";
import { awsEnv, makeProject } from "../fakes/aws-project.js";
import { runCli, tempDir } from "../support/cli.js";

const STANDIN = `#!/usr/bin/env node
// Recording stand-in for the docker CLI: appends {argv, stdin} as one JSON line to $STANDIN_DOCKER_LOG.
const fs = require("node:fs");
const args = process.argv.slice(2);
let stdin = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (stdin += d));
process.stdin.on("end", () => {
  fs.appendFileSync(process.env.STANDIN_DOCKER_LOG, JSON.stringify({ args, stdin }) + "\\n");
  const env = process.env;
  if (args[0] === "info") {
    if (env.STANDIN_NO_DAEMON) { console.error("Cannot connect to the Docker daemon at unix:///var/run/docker.sock."); process.exit(1); }
    console.log("28.2.2"); process.exit(0);
  }
  if (args[0] === "buildx") {
    if (env.STANDIN_NO_BUILDX) { console.error("docker: unknown command: docker buildx"); process.exit(1); }
    if (args[1] === "version") { console.log("github.com/docker/buildx v0.23.0"); process.exit(0); }
  }
  if (args[0] === "login") { console.log("Login Succeeded"); process.exit(0); }
  if ((args[0] === "buildx" && args[1] === "build") || args[0] === "build") {
    console.log("#1 [internal] load build definition from Dockerfile");
    if (env.STANDIN_FAIL_BUILD) {
      // A misbehaving tool that echoes a secret: agentcore-ts must mask it.
      console.error("ERROR: failed to solve: process \\"/bin/sh -c pip install\\" did not complete; auth " + env.STANDIN_SECRET_ECHO);
      process.exit(1);
    }
    console.log("#9 exporting to image"); process.exit(0);
  }
  if (args[0] === "push") { console.log("latest: digest: sha256:abc size: 1234"); process.exit(0); }
  console.error("stand-in docker: unexpected " + args.join(" ")); process.exit(3);
});
`;

interface Invocation {
  args: string[];
  stdin: string;
}

let aws: AwsFakes;
let binDir: string;

beforeAll(async () => {
  aws = await startAwsFakes();
  binDir = tempDir("agentcore-ts-docker-bin-");
  await fsp.writeFile(path.join(binDir, "docker"), STANDIN, { mode: 0o755 });
});
afterAll(async () => {
  await aws?.close();
});

async function launchWithStandIn(agentName: string, args: string[], standinEnv: Record<string, string> = {}) {
  const project = await makeProject({ agentName });
  const log = path.join(tempDir("agentcore-ts-docker-log-"), "calls.jsonl");
  const env = awsEnv(aws, {
    AGENTCORE_TS_CONTAINER_ENGINE: "docker", // the stand-in `docker` first on PATH
    PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
    STANDIN_DOCKER_LOG: log,
    ...standinEnv,
  });
  const result = await runCli(["launch", ...args], { cwd: project.dir, env });
  const calls: Invocation[] = (await fsp.readFile(log, "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Invocation);
  return { ...result, calls, project };
}

describe("launch --build docker (stand-in engine)", () => {
  it("with a reachable engine it builds linux/arm64 with buildx and pushes; the ECR password only ever goes to stdin", async () => {
    const run = await launchWithStandIn("docker_agent", ["--json", "--verbose"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ action: "created", image: "docker" });
    const registry = aws.ecr.registry;
    expect(run.calls.map((c) => c.args.slice(0, 2).join(" "))).toEqual(["info", "buildx version", "login --username", "buildx build"]);
    const login = run.calls[2]!;
    expect(login.args).toEqual(["login", "--username", "AWS", "--password-stdin", registry]);
    expect(login.stdin).toBe(aws.ecr.registryPassword);
    const build = run.calls[3]!.args;
    expect(build).toEqual([
      "buildx",
      "build",
      "--platform",
      "linux/arm64",
      "--provenance=false",
      "-f",
      path.join(run.project.dir, "Dockerfile"),
      "-t",
      doc.imageUri,
      "--push",
      run.project.dir,
    ]);
    expect(doc.imageUri).toMatch(new RegExp(`^${registry}/bedrock-agentcore-docker_agent:[0-9a-f]{16}$`));
    for (const call of run.calls) expect(call.args.join(" ")).not.toContain(aws.ecr.registryPassword);
    expect(run.stdout + run.stderr).not.toContain(aws.ecr.registryPassword);
    expect(aws.codebuild.builds.size).toBe(0);
    expect(aws.rejections()).toEqual([]);
  });

  it("without buildx it runs docker build --platform linux/arm64, then docker push", async () => {
    const run = await launchWithStandIn("plain_build_agent", ["--build", "docker", "--json"], { STANDIN_NO_BUILDX: "1" });
    expect(run.code, run.stderr).toBe(0);
    const imageUri = JSON.parse(run.stdout).imageUri as string;
    const builds = run.calls.filter((c) => c.args[0] === "build" || c.args[0] === "push").map((c) => c.args);
    expect(builds).toEqual([
      ["build", "--platform", "linux/arm64", "-f", path.join(run.project.dir, "Dockerfile"), "-t", imageUri, run.project.dir],
      ["push", imageUri],
    ]);
  });

  it("a failed build shows the engine's last lines, with a leaked password masked", async () => {
    const run = await launchWithStandIn("broken_build_agent", ["--build", "docker"], {
      STANDIN_FAIL_BUILD: "1",
      STANDIN_SECRET_ECHO: aws.ecr.registryPassword,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/docker build of .* failed:[\s\S]*failed to solve/);
    expect(run.stderr).toContain("auth ****");
    expect(run.stdout + run.stderr).not.toContain(aws.ecr.registryPassword);
    expect(aws.control.runtimeByName("broken_build_agent")).toBeUndefined();
  });

  it("--build docker without a reachable engine is a usage error pointing at --build codebuild", async () => {
    const run = await launchWithStandIn("no_engine_agent", ["--build", "docker"], { STANDIN_NO_DAEMON: "1" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--build docker needs a running container engine[\s\S]*--build codebuild/);
    expect(run.calls.map((c) => c.args[0])).toEqual(["info"]);
  });

  it("without --build and without a reachable engine it builds in CodeBuild", async () => {
    const run = await launchWithStandIn("fallback_agent", ["--json"], { STANDIN_NO_DAEMON: "1" });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ image: "codebuild" });
    expect(run.calls.map((c) => c.args[0])).toEqual(["info"]);
    expect(aws.rejections()).toEqual([]);
  });
});
