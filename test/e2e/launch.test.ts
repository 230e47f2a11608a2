/**
 * `launch` end to end: the BUILT CLI against wire-level fakes of STS, IAM, ECR, S3, CodeBuild and
 * the AgentCore control plane (test/fakes/aws-*.ts), reached through AWS_ENDPOINT_URL_<SERVICE>.
 * Every success test also asserts that no fake saw a request the real service would refuse.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFakes, startAwsFakes } from "../fakes/aws-fakes.js";
import { awsEnv, DISCOVERY_URL, makeProject, readConfig } from "../fakes/aws-project.js";
import { runCli } from "../support/cli.js";
import { KEY, runCliInPty } from "../support/pty.js";

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
  endpoint: { status: string; liveVersion: string };
  imageUri: string;
  image: string;
  executionRoleArn: string;
  executionRoleCreated: boolean;
}

async function launch(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(["launch", "--json", ...args], { cwd: dir, env: awsEnv(aws, env) });
  let doc: LaunchDoc | undefined;
  try {
    doc = JSON.parse(result.stdout) as LaunchDoc;
  } catch {
    doc = undefined;
  }
  return { ...result, doc };
}

function bodiesOf(operation: string): Record<string, unknown>[] {
  return aws.control.callsOf(operation).map((c) => c.input as Record<string, unknown>);
}

describe("launch: first, second, unchanged", () => {
  const name = "first_agent";
  let project: Awaited<ReturnType<typeof makeProject>>;
  let first: LaunchDoc;

  beforeAll(async () => {
    project = await makeProject({ agentName: name });
  });

  it("first launch creates the ECR repository, the tagged roles, builds in CodeBuild and creates the runtime", async () => {
    const result = await launch(project.dir, ["--build", "codebuild"]);
    expect(result.stderr).not.toMatch(/✖/);
    expect(result.code).toBe(0);
    expect(aws.rejections()).toEqual([]);
    first = result.doc!;
    expect(first).toMatchObject({
      action: "created",
      runtimeVersion: "1",
      endpoint: { status: "READY", liveVersion: "1" },
      image: "codebuild",
      executionRoleCreated: true,
    });

    // ECR: toolkit-style name, scan on push, managed tag; the image tag is the context hash.
    const repo = aws.ecr.repositories.get(`bedrock-agentcore-${name}`)!;
    expect(repo.scanOnPush).toBe(true);
    expect(repo.tags).toContainEqual({ Key: "agentcore-ts:managed", Value: "true" });
    expect(first.imageUri).toMatch(new RegExp(`^${aws.ecr.repositoryUri(repo.name)}:[0-9a-f]{16}$`));

    // Execution role: tagged; trust for bedrock-agentcore conditioned on the account and the runtime ARN.
    const role = aws.iam.roleByArn(first.executionRoleArn)!;
    expect(role.tags).toContainEqual({ Key: "agentcore-ts:managed", Value: "true" });
    const trust = JSON.parse(role.trustPolicy);
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: "bedrock-agentcore.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": aws.account },
        ArnLike: { "aws:SourceArn": `arn:aws:bedrock-agentcore:${aws.region}:${aws.account}:*` },
      },
    });
    const policy = JSON.stringify([...role.inlinePolicies.values()]);
    for (const action of [
      "ecr:BatchGetImage",
      "ecr:GetAuthorizationToken",
      "logs:PutLogEvents",
      "logs:PutDeliverySource",
      "logs:CreateDelivery",
      "xray:PutTraceSegments",
      "bedrock:InvokeModel",
      "bedrock:InvokeModelWithResponseStream",
      "bedrock:ApplyGuardrail",
      "cloudwatch:PutMetricData",
      "bedrock-agentcore:GetWorkloadAccessTokenForJWT",
    ]) {
      expect(policy).toContain(action);
    }
    expect(policy).toContain(`repository/${repo.name}`);

    // CodeBuild: the zipped context respects .dockerignore; an ARM, privileged project with its own tagged role.
    const bucket = aws.s3.buckets.get(`bedrock-agentcore-codebuild-sources-${aws.account}-${aws.region}`)!;
    expect(bucket.lifecycle).toContain("<Days>7</Days>");
    const [zipKey] = [...bucket.objects.keys()];
    const files = Object.keys(unzipSync(new Uint8Array(bucket.objects.get(zipKey!)!)));
    expect(files).toEqual(expect.arrayContaining(["agent.py", "requirements.txt", "Dockerfile", ".dockerignore"]));
    expect(files.filter((f) => f.startsWith("node_modules") || f === ".env" || f === ".agentcore.json")).toEqual([]);
    const project_ = aws.codebuild.projects.get(`bedrock-agentcore-${name}-builder`)!;
    expect(project_.definition.environment).toMatchObject({
      type: "ARM_CONTAINER",
      image: expect.stringContaining("aarch64"),
      privilegedMode: true,
    });
    expect(project_.tags).toContainEqual({ key: "agentcore-ts:managed", value: "true" });
    expect(aws.iam.roleByArn(String(project_.definition.serviceRole))!.tags).toContainEqual({ Key: "agentcore-ts:managed", Value: "true" });

    // The Create request carries the whole configuration.
    const create = bodiesOf("CreateAgentRuntime").find((b) => b.agentRuntimeName === name)!;
    expect(create).toMatchObject({
      agentRuntimeArtifact: { containerConfiguration: { containerUri: first.imageUri } },
      roleArn: first.executionRoleArn,
      networkConfiguration: { networkMode: "PUBLIC" },
      protocolConfiguration: { serverProtocol: "HTTP" },
      environmentVariables: { LOG_LEVEL: "info" },
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: DISCOVERY_URL, allowedClients: ["client1example"] } },
      requestHeaderConfiguration: { requestHeaderAllowlist: ["Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"] },
    });

    // The deployment section records what was deployed.
    const deployment = (await readConfig(project.configFile)).agents[name]!.deployment!;
    expect(deployment).toMatchObject({
      runtimeId: first.runtimeId,
      runtimeArn: first.runtimeArn,
      runtimeVersion: "1",
      region: aws.region,
      imageUri: first.imageUri,
      executionRoleCreated: true,
    });
    expect(deployment.configurationHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("a launch after a source change rebuilds and updates the same runtime, and waits for the new version to be live", async () => {
    await fsp.writeFile(path.join(project.dir, "agent.py"), "print('hello, version 2')\n");
    const updatesBefore = bodiesOf("UpdateAgentRuntime").length;
    const result = await launch(project.dir, ["--build", "codebuild"]);
    expect(result.code).toBe(0);
    expect(aws.rejections()).toEqual([]);
    const second = result.doc!;
    expect(second).toMatchObject({
      action: "updated",
      runtimeId: first.runtimeId,
      runtimeArn: first.runtimeArn,
      runtimeVersion: "2",
      image: "codebuild",
    });
    // The fake keeps the endpoint READY on version 1 for a while: launch must wait for liveVersion 2.
    expect(second.endpoint).toEqual({ name: "DEFAULT", status: "READY", liveVersion: "2" });
    expect(second.imageUri).not.toBe(first.imageUri);
    const update = bodiesOf("UpdateAgentRuntime").slice(updatesBefore)[0]!;
    // Update replaces everything, so everything is sent again.
    expect(Object.keys(update).sort()).toEqual(
      [
        "agentRuntimeArtifact",
        "authorizerConfiguration",
        "clientToken",
        "environmentVariables",
        "networkConfiguration",
        "protocolConfiguration",
        "requestHeaderConfiguration",
        "roleArn",
      ].sort(),
    );
    expect((await readConfig(project.configFile)).agents[name]!.deployment).toMatchObject({
      runtimeVersion: "2",
      imageUri: second.imageUri,
    });
  });

  it("an unchanged launch says so and changes nothing", async () => {
    const before = aws.mark();
    const writes = () =>
      aws.calls(before).filter((c) => /^(Create|Update|Put|Start|Delete)/.test(c.operation) || c.operation === "UpdateAssumeRolePolicy");
    const result = await runCli(["launch", "--build", "codebuild"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Nothing to do: first_agent version 2 is live/);
    expect(result.stdout).toMatch(/build skipped/);
    expect(writes()).toEqual([]);
    expect(aws.rejections()).toEqual([]);
  });

  it("a configuration-only change updates without rebuilding", async () => {
    const config = JSON.parse(await fsp.readFile(project.configFile, "utf8"));
    config.agents[name].authorizerConfiguration.customJWTAuthorizer.allowedClients = ["client1example", "client2example"];
    await fsp.writeFile(project.configFile, JSON.stringify(config));
    const builds = aws.codebuild.builds.size;
    const result = await launch(project.dir, ["--build", "codebuild"]);
    expect(result.code).toBe(0);
    expect(result.doc).toMatchObject({ action: "updated", runtimeVersion: "3", image: "unchanged", runtimeId: first.runtimeId });
    expect(aws.codebuild.builds.size).toBe(builds);
    expect(aws.control.runtimes.get(first.runtimeId)!.configuration.authorizerConfiguration).toEqual({
      customJWTAuthorizer: { discoveryUrl: DISCOVERY_URL, allowedClients: ["client1example", "client2example"] },
    });
    expect(aws.rejections()).toEqual([]);
  });

  it("an existing, unchanged role refused as not assumable fails at once: propagation retries are for fresh roles only", async () => {
    const config = JSON.parse(await fsp.readFile(project.configFile, "utf8"));
    config.agents[name].environmentVariables = { MODEL: "changed" };
    await fsp.writeFile(project.configFile, JSON.stringify(config));
    aws.control.roleNotAssumableTimes = 1;
    try {
      const result = await runCli(["launch", "--build", "codebuild"], { cwd: project.dir, env: awsEnv(aws) });
      expect(result.code).toBe(1);
      expect(result.stdout).not.toMatch(/IAM propagation/);
      expect(result.stderr).toMatch(/ValidationException: Role validation failed/);
      expect(aws.control.roleNotAssumableTimes).toBe(0);
    } finally {
      aws.control.roleNotAssumableTimes = 0;
    }
  });
});

describe("launch: recovery paths", () => {
  it("ConflictException on create: finds the runtime by name (paginated List) and updates it", async () => {
    const name = "conflict_agent";
    const project = await makeProject({ agentName: name });
    aws.control.seedRuntime("other_a");
    aws.control.seedRuntime("other_b");
    const existing = aws.control.seedRuntime(name);
    aws.control.listPageSize = 1;
    try {
      const result = await launch(project.dir, ["--build", "codebuild"]);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/already exists .* updating it/);
      expect(result.doc).toMatchObject({ action: "updated", runtimeId: existing.id, runtimeVersion: "2" });
      expect(aws.control.callsOf("ListAgentRuntimes").length).toBeGreaterThan(1);
      expect((await readConfig(project.configFile)).agents[name]!.deployment).toMatchObject({ runtimeId: existing.id });
      expect(aws.rejections()).toEqual([]);
    } finally {
      aws.control.listPageSize = 100;
    }
  });

  it("retries with backoff while a fresh execution role is not assumable yet (IAM propagation)", async () => {
    const name = "fresh_role_agent";
    const project = await makeProject({ agentName: name });
    const creates = () => bodiesOf("CreateAgentRuntime").filter((b) => b.agentRuntimeName === name).length;
    aws.control.roleNotAssumableTimes = 2;
    aws.codebuild.roleNotAssumableTimes = 1;
    const result = await runCli(["launch", "--build", "codebuild"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/not usable by AgentCore yet \(IAM propagation\): retry 1/);
    expect(result.stdout).toMatch(/retry 2/);
    expect(creates()).toBe(3);
    // CodeBuild refused the fresh CodeBuild role once too, and the project write was retried.
    const projectWrites = aws.codebuild
      .callsOf("CreateProject")
      .filter((c) => (c.input as { name: string }).name === `bedrock-agentcore-${name}-builder`);
    expect(projectWrites.map((c) => c.errorType ?? c.status)).toEqual(["InvalidInputException", 200]);
    expect(aws.rejections()).toEqual([]);
  });

  it("CREATE_FAILED ends with the failureReason and a hint; the deployment is recorded for status", async () => {
    const name = "failing_agent";
    const project = await makeProject({ agentName: name });
    aws.control.failNextDeployment = "Runtime initialization failed: container exited with code 1 (exec format error)";
    const result = await runCli(["launch", "--build", "codebuild"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /failed \(CREATE_FAILED\): Runtime initialization failed: container exited with code 1 \(exec format error\)/,
    );
    expect(result.stderr).toMatch(/hint: .*linux\/arm64/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect((await readConfig(project.configFile)).agents[name]!.deployment).toMatchObject({ runtimeVersion: "1" });

    // A rerun deploys the failed configuration again (an update); UPDATE_FAILED reports its reason the same way.
    aws.control.failNextDeployment = "Image pull failed: manifest unknown";
    const retried = await runCli(["launch", "--build", "codebuild"], { cwd: project.dir, env: awsEnv(aws) });
    expect(retried.code).toBe(1);
    expect(retried.stderr).toMatch(/version 2 failed \(UPDATE_FAILED\): Image pull failed: manifest unknown/);

    const fixed = await launch(project.dir, ["--build", "codebuild"]);
    expect(fixed.code).toBe(0);
    expect(fixed.doc).toMatchObject({ action: "updated", runtimeVersion: "3", endpoint: { status: "READY", liveVersion: "3" } });
    expect(aws.rejections()).toEqual([]);
  });

  it("Ctrl-C on a terminal while waiting stops launch at once, leaves .agentcore.json consistent, and a rerun waits instead of deploying again", async () => {
    const name = "interrupted_agent";
    const project = await makeProject({ agentName: name });
    aws.control.pollsToSettle = 1_000_000;
    // A real terminal: the spinner runs, and Ctrl-C is a key press, not a signal sent by the test.
    const session = runCliInPty(["launch", "--build", "codebuild", "--timeout", "120"], { cwd: project.dir, env: awsEnv(aws) });
    let ended: { code: number | null } | undefined;
    try {
      await session.waitFor("Waiting for the DEFAULT endpoint", 20_000);
      await new Promise((r) => setTimeout(r, 100));
      session.send(KEY.ctrlC);
      ended = await Promise.race([session.done, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    } finally {
      session.kill();
      aws.control.pollsToSettle = 2;
    }
    expect(ended, "launch kept waiting after Ctrl-C").toBeDefined();
    expect(ended!.code).not.toBe(0);
    const deployment = (await readConfig(project.configFile)).agents[name]!.deployment!;
    const runtimeId = deployment.runtimeId as string;
    expect(deployment).toMatchObject({ runtimeId: expect.stringMatching(/^interrupted_agent-/), runtimeVersion: "1" });

    aws.control.runtimes.get(runtimeId)!.pollsLeft = 1;
    const creates = bodiesOf("CreateAgentRuntime").length;
    const updates = bodiesOf("UpdateAgentRuntime").length;
    const rerun = await launch(project.dir, ["--build", "codebuild"]);
    expect(rerun.code).toBe(0);
    expect(rerun.doc).toMatchObject({ action: "resumed", runtimeId, runtimeVersion: "1", endpoint: { status: "READY", liveVersion: "1" } });
    expect(bodiesOf("CreateAgentRuntime").length).toBe(creates);
    expect(bodiesOf("UpdateAgentRuntime").length).toBe(updates);
    expect(aws.rejections()).toEqual([]);
  });

  it("--image-uri deploys that image without building; a malformed one is refused before any AWS call", async () => {
    const name = "byo_image_agent";
    const project = await makeProject({ agentName: name, agent: { authorizerConfiguration: null, requestHeaderAllowlist: [] } });
    const image = `${aws.account}.dkr.ecr.${aws.region}.amazonaws.com/team/agents:v7`;
    const builds = aws.codebuild.builds.size;
    const result = await launch(project.dir, ["--image-uri", image]);
    expect(result.code).toBe(0);
    expect(result.doc).toMatchObject({ action: "created", image: "provided", imageUri: image });
    expect(aws.codebuild.builds.size).toBe(builds);
    const create = bodiesOf("CreateAgentRuntime").find((b) => b.agentRuntimeName === name)!;
    // IAM inbound auth and no allowlist: both members are left out.
    expect(create).not.toHaveProperty("authorizerConfiguration");
    expect(create).not.toHaveProperty("requestHeaderConfiguration");
    expect(aws.rejections()).toEqual([]);

    const mark = aws.mark();
    const bad = await runCli(["launch", "--image-uri", "docker.io/library/python:3.12"], { cwd: project.dir, env: awsEnv(aws) });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--image-uri "docker.io\/library\/python:3.12" is not an image AgentCore Runtime can run/);
    expect(aws.calls(mark).filter((c) => c.service !== "sts")).toEqual([]);
  });

  it("an authorizer field the SDK would silently drop (a typo) is refused before any AWS call", async () => {
    const project = await makeProject({
      agentName: "typo_agent",
      agent: {
        authorizerConfiguration: {
          customJWTAuthorizer: { discoveryUrl: DISCOVERY_URL, allowedClients: ["client1example"], allowedAudiences: ["api"] },
        },
      },
    });
    const mark = aws.mark();
    const result = await runCli(["launch"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /customJWTAuthorizer\.allowedAudiences is not a field of the AgentCore authorizer[\s\S]*Did you mean "allowedAudience"/,
    );
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(aws.calls(mark)).toEqual([]);
  });

  it("an agent whose discovery URL is on this machine (the embedded Cognito) is refused before any AWS call", async () => {
    const project = await makeProject({
      agentName: "local_issuer_agent",
      agent: {
        authorizerConfiguration: {
          customJWTAuthorizer: {
            discoveryUrl: "http://127.0.0.1:19229/local_abc/.well-known/openid-configuration",
            allowedClients: ["client1example"],
          },
        },
      },
    });
    const mark = aws.mark();
    const result = await runCli(["launch"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /discovery URL http:\/\/127\.0\.0\.1:19229\/.* is on this machine[\s\S]*AgentCore Runtime in AWS cannot reach it/,
    );
    expect(result.stderr).toMatch(/cognito setup --no-local[\s\S]*agentcore-ts configure --agent local_issuer_agent --discovery-url/);
    expect(aws.calls(mark)).toEqual([]);
    expect((await readConfig(project.configFile)).agents.local_issuer_agent!.deployment ?? null).toBeNull();
  });

  it("an explicitly configured execution role is used as is and never changed", async () => {
    const name = "own_role_agent";
    const role = aws.iam.seedRole("TeamAgentRole");
    const project = await makeProject({ agentName: name, agent: { executionRole: role.arn } });
    const result = await launch(project.dir, ["--build", "codebuild"]);
    expect(result.code).toBe(0);
    expect(result.doc).toMatchObject({ executionRoleArn: role.arn, executionRoleCreated: false });
    const iamWrites = aws.iam.calls.filter(
      (c) => /^(Put|Update|Delete|Create)/.test(c.operation) && JSON.stringify(c.input).includes("TeamAgentRole"),
    );
    expect(iamWrites).toEqual([]);
  });

  it("without a region it is a usage error naming --region", async () => {
    const project = await makeProject({ agentName: "no_region_agent" });
    const result = await runCli(["launch"], { cwd: project.dir, env: awsEnv(aws, { AWS_REGION: undefined }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No AWS region is set[\s\S]*--region/);
  });
});
