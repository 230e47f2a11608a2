/**
 * `launch` of a code agent (configure --deploy code) end to end: the BUILT CLI against the wire-level
 * fakes (S3 for the artifact bucket, the AgentCore control plane checking codeConfiguration against
 * the model and that the zip is in S3). First launch, unchanged, changed source, container -> code.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { AgentManagedRuntimeType } from "@aws-sdk/client-bedrock-agentcore-control";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFakes, startAwsFakes } from "../fakes/aws-fakes.js";
import { awsEnv, makeProject, readConfig } from "../fakes/aws-project.js";
import { runCli } from "../support/cli.js";

let aws: AwsFakes;
beforeAll(async () => {
  aws = await startAwsFakes();
});
afterAll(async () => {
  await aws?.close();
});

interface LaunchDoc {
  action: string;
  runtimeId: string;
  runtimeArn: string;
  runtimeVersion: string;
  artifact: string;
  imageUri?: string;
  code?: { bucket: string; key: string; uploaded: boolean; sha256: string; runtime: string; entryPoint: string[] };
}

async function launch(dir: string, args: string[] = []): Promise<LaunchDoc> {
  const result = await runCli(["launch", "--json", ...args], { cwd: dir, env: awsEnv(aws), timeoutMs: 60_000 });
  expect(result.stderr).not.toMatch(/✖/);
  expect(result.code).toBe(0);
  expect(aws.rejections()).toEqual([]);
  return JSON.parse(result.stdout) as LaunchDoc;
}

const CODE_AGENT = { deploy: "code", runtime: "PYTHON_3_13", authorizerConfiguration: null, requestHeaderAllowlist: [] };

type CodeConfiguration = { code: { s3: { bucket: string; prefix: string } }; runtime: string; entryPoint: string[] };
function codeConfigurationOf(body: Record<string, unknown>): CodeConfiguration {
  return (body.agentRuntimeArtifact as { codeConfiguration: CodeConfiguration }).codeConfiguration;
}

/** The model's constraints on CodeConfiguration (AgentManagedRuntimeType; entryPoint 1-2 items of 1-128 characters). */
function expectModelShape(code: CodeConfiguration, bucket: string): void {
  expect(Object.values(AgentManagedRuntimeType)).toContain(code.runtime);
  expect(code.entryPoint.length).toBeGreaterThanOrEqual(1);
  expect(code.entryPoint.length).toBeLessThanOrEqual(2);
  for (const e of code.entryPoint) expect(e).toMatch(/^.{1,128}$/s);
  expect(code.code.s3.bucket).toBe(bucket);
  expect(code.code.s3.prefix).toMatch(/^[A-Za-z][A-Za-z0-9_]*\/[0-9a-f]{64}\.zip$/);
}

describe("launch --deploy code", () => {
  let project: Awaited<ReturnType<typeof makeProject>>;
  let first: LaunchDoc;
  const bucket = () => `bedrock-agentcore-code-${aws.account}-${aws.region}`;

  beforeAll(async () => {
    project = await makeProject({ agentName: "code_agent", agent: CODE_AGENT });
  });

  it("first launch: creates the bucket (owner-checked, public access blocked, tagged, lifecycle), uploads the zip under its hash, creates the runtime with codeConfiguration", async () => {
    const since = aws.mark();
    first = await launch(project.dir);
    expect(first).toMatchObject({ action: "created", runtimeVersion: "1", artifact: "code" });
    expect(first.imageUri).toBeUndefined();
    const b = aws.s3.buckets.get(bucket())!;
    expect(b.publicAccessBlock).toMatch(/<BlockPublicAcls>true<\/BlockPublicAcls>.*<RestrictPublicBuckets>true<\/RestrictPublicBuckets>/s);
    expect(b.tagging).toContain("<Key>agentcore-ts:managed</Key><Value>true</Value>");
    expect(b.lifecycle).toMatch(/<Expiration><Days>30<\/Days><\/Expiration>/);
    // Every call but CreateBucket names the account as the expected owner.
    const s3Calls = aws.calls(since).filter((c) => c.service === "s3");
    expect(s3Calls.map((c) => c.operation)).toEqual(expect.arrayContaining(["HeadBucket", "CreateBucket", "HeadObject", "PutObject"]));
    for (const call of s3Calls.filter((c) => c.operation !== "CreateBucket"))
      expect((call.input as { owner?: string }).owner, call.operation).toBe(aws.account);

    const key = `code_agent/${first.code!.sha256}.zip`;
    expect(first.code).toMatchObject({ bucket: bucket(), key, uploaded: true, runtime: "PYTHON_3_13", entryPoint: ["agent.py"] });
    const names = Object.keys(unzipSync(aws.s3.object(bucket(), key)!));
    expect(names).toContain("agent.py");
    expect(names).not.toContain(".env");
    expect(names.some((n) => n.startsWith("node_modules/"))).toBe(false);

    const [create] = aws.control.callsOf("CreateAgentRuntime").map((c) => c.input as Record<string, unknown>);
    const code = codeConfigurationOf(create!);
    expectModelShape(code, bucket());
    expect(code).toEqual({ code: { s3: { bucket: bucket(), prefix: key } }, runtime: "PYTHON_3_13", entryPoint: ["agent.py"] });
    expect(create).toMatchObject({ networkConfiguration: { networkMode: "PUBLIC" }, environmentVariables: { LOG_LEVEL: "info" } });

    const deployment = (await readConfig(project.configFile)).agents.code_agent!.deployment!;
    expect(deployment).toMatchObject({ artifact: "code", codeBucket: bucket(), codeKey: key, codeBucketCreated: true });
  });

  it("status names the deployed zip, its runtime and entry point (and no image)", async () => {
    const result = await runCli(["status", "--json"], { cwd: project.dir, env: awsEnv(aws), timeoutMs: 60_000 });
    expect([result.code, result.stderr]).toEqual([0, ""]);
    const status = JSON.parse(result.stdout);
    expect(status.imageUri).toBeUndefined();
    expect(status.code).toMatchObject({
      s3Uri: expect.stringMatching(new RegExp(`^s3://[^/]+/${first.code!.key}$`)),
      entryPoint: ["agent.py"],
    });
    expect(status.code.runtime).toMatch(/^PYTHON_3_/);
    const human = await runCli(["status"], { cwd: project.dir, env: awsEnv(aws), timeoutMs: 60_000 });
    expect(human.stdout).toMatch(/Code: +s3:\/\/\S+\.zip\n +Runtime: +PYTHON_3_\d+, entry point agent\.py\n/);
  });

  it("unchanged: no upload and no update", async () => {
    const since = aws.mark();
    const again = await launch(project.dir);
    expect(again).toMatchObject({ action: "unchanged", runtimeVersion: "1", code: { uploaded: false } });
    const operations = aws.calls(since).map((c) => c.operation);
    expect(operations).not.toContain("PutObject");
    expect(operations).not.toContain("UpdateAgentRuntime");
    expect(operations).not.toContain("CreateBucket");
  });

  it("changed source: a new zip under a new key, UpdateAgentRuntime, the same ARN", async () => {
    await fsp.appendFile(path.join(project.dir, "agent.py"), "print('changed')\n");
    const since = aws.mark();
    const changed = await launch(project.dir);
    expect(changed).toMatchObject({ action: "updated", runtimeVersion: "2", runtimeArn: first.runtimeArn, code: { uploaded: true } });
    expect(changed.code!.sha256).not.toBe(first.code!.sha256);
    expect(aws.calls(since).filter((c) => c.operation === "PutObject")).toHaveLength(1);
    const update = aws.control.callsOf("UpdateAgentRuntime").at(-1)!.input as Record<string, unknown>;
    expect(codeConfigurationOf(update).code.s3.prefix).toBe(changed.code!.key);
    // Update replaces the whole configuration: everything is sent again.
    expect(update).toMatchObject({ networkConfiguration: { networkMode: "PUBLIC" }, environmentVariables: { LOG_LEVEL: "info" } });
  });

  it("destroy deletes the runtime and this agent's zips, and keeps the shared bucket", async () => {
    await fsp.writeFile(path.join(project.dir, "other.txt"), "x");
    aws.s3.buckets.get(bucket())!.objects.set("another_agent/keep.zip", Buffer.from("zip"));
    const result = await runCli(["destroy", "--yes", "--json"], { cwd: project.dir, env: awsEnv(aws), timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ runtime: "deleted", codeArtifacts: { bucket: bucket(), outcome: "deleted", objects: 2 } });
    const left = [...aws.s3.buckets.get(bucket())!.objects.keys()];
    expect(left.filter((k) => k.startsWith("code_agent/"))).toEqual([]);
    expect(left).toContain("another_agent/keep.zip");
    expect(aws.rejections()).toEqual([]);
  });

  it("--image-uri on a code agent is a usage error, before any AWS write", async () => {
    const since = aws.mark();
    const result = await runCli(["launch", "--image-uri", "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"], {
      cwd: project.dir,
      env: awsEnv(aws),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/deploys as code/);
    expect(aws.calls(since).filter((c) => /^(Put|Create|Update)/.test(c.operation))).toEqual([]);
  });
});

describe("launch: container -> code", () => {
  it("updates the same runtime with codeConfiguration, records the switch and drops the stale image URI", async () => {
    const project = await makeProject({ agentName: "switch_agent", agent: { authorizerConfiguration: null, requestHeaderAllowlist: [] } });
    const image = `${aws.account}.dkr.ecr.${aws.region}.amazonaws.com/team/switch:v1`;
    const container = await launch(project.dir, ["--image-uri", image]);
    expect(container).toMatchObject({ action: "created", artifact: "container" });

    const config = JSON.parse(await fsp.readFile(project.configFile, "utf8"));
    Object.assign(config.agents.switch_agent, { deploy: "code", runtime: "PYTHON_3_12" });
    await fsp.writeFile(project.configFile, JSON.stringify(config, null, 2));

    const result = await runCli(["launch", "--json"], { cwd: project.dir, env: awsEnv(aws), timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Switching switch_agent from a container image to a code zip/);
    const code = JSON.parse(result.stdout) as LaunchDoc;
    expect(code).toMatchObject({ action: "updated", artifact: "code", runtimeArn: container.runtimeArn, runtimeVersion: "2" });
    const update = aws.control.callsOf("UpdateAgentRuntime").at(-1)!.input as Record<string, unknown>;
    expect(Object.keys(update.agentRuntimeArtifact as object)).toEqual(["codeConfiguration"]);
    expectModelShape(codeConfigurationOf(update), `bedrock-agentcore-code-${aws.account}-${aws.region}`);
    const deployment = (await readConfig(project.configFile)).agents.switch_agent!.deployment!;
    expect(deployment.artifact).toBe("code");
    expect(deployment.imageUri).toBeUndefined();
    expect(aws.rejections()).toEqual([]);
  });
});
