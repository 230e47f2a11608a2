/**
 * `destroy` end to end (built CLI against the AWS fakes) after a real launch (run in-process to keep
 * the file fast), plus the confirmation prompt through the operation with a scripted prompter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeRoleName } from "../../src/aws/iam-role.js";
import { destroy } from "../../src/commands/destroy/destroy.js";
import { printDestroy } from "../../src/commands/destroy/print.js";
import { launch } from "../../src/commands/launch/launch.js";
import { createContext } from "../../src/core/context.js";
import { MemoryOutput } from "../../src/ui/output.js";
import { ScriptedPrompter } from "../../src/ui/prompts.js";
import { type AwsFakes, startAwsFakes } from "../fakes/aws-fakes.js";
import { awsEnv, makeProject, readConfig } from "../fakes/aws-project.js";
import { runCli } from "../support/cli.js";

let aws: AwsFakes;
const savedEnv = { ...process.env };
beforeAll(async () => {
  aws = await startAwsFakes();
  // The in-process SDK clients read their endpoints from process.env, like the CLI's.
  Object.assign(process.env, aws.env, { AGENTCORE_TS_POLL_MS: "2", AGENTCORE_TS_CONTAINER_ENGINE: "none" });
});
afterAll(async () => {
  process.env = savedEnv;
  await aws?.close();
});

function context(cwd: string, answers: boolean[] = []) {
  const output = new MemoryOutput();
  const prompter = new ScriptedPrompter(answers);
  const ctx = createContext({
    cwd,
    env: { ...process.env },
    globals: { json: false, verbose: false, nonInteractive: false },
    output,
    prompter,
    stdin: process.stdin,
  });
  return { ctx, output, prompter };
}

async function launched(agentName: string, agent: Record<string, unknown> = {}) {
  const project = await makeProject({ agentName, agent });
  const result = await launch({ agentName, build: "codebuild" }, context(project.dir).ctx);
  return { ...project, runtimeId: result.runtimeId, roleArn: result.executionRoleArn };
}

describe("destroy", () => {
  it("refuses to run without confirmation when it cannot prompt, naming --yes", async () => {
    const project = await launched("kept_agent");
    const result = await runCli(["destroy"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a confirmation[\s\S]*--yes/);
    expect(aws.control.runtimes.has(project.runtimeId)).toBe(true);
    expect((await readConfig(project.configFile)).agents.kept_agent!.deployment).not.toBeNull();
  });

  it("--yes deletes the runtime (waiting until it is gone), the tagged roles and the CodeBuild project, clears the deployment and keeps the repository", async () => {
    const project = await launched("doomed_agent");
    const roleName = project.roleArn.split("/").pop()!;
    const result = await runCli(["destroy", "--yes", "--json"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      runtime: "deleted",
      runtimeId: project.runtimeId,
      executionRole: { name: roleName, outcome: "deleted" },
      codebuildProject: { name: "bedrock-agentcore-doomed_agent-builder", outcome: "deleted" },
      codebuildRole: { outcome: "deleted" },
      ecrRepository: { name: "bedrock-agentcore-doomed_agent", outcome: "kept" },
    });
    expect(aws.control.runtimes.has(project.runtimeId)).toBe(false);
    // It waited: the runtime was polled until the control plane answered 404.
    expect(aws.control.callsOf("GetAgentRuntime").at(-1)).toMatchObject({ status: 404, errorType: "ResourceNotFoundException" });
    expect(aws.iam.roles.has(roleName)).toBe(false);
    // Inline policies go first (IAM answers DeleteConflict otherwise): no DeleteRole failed.
    expect(aws.iam.callsOf("DeleteRole").filter((c) => c.status !== 200)).toEqual([]);
    expect(aws.codebuild.projects.has("bedrock-agentcore-doomed_agent-builder")).toBe(false);
    expect(aws.ecr.repositories.has("bedrock-agentcore-doomed_agent")).toBe(true);
    expect((await readConfig(project.configFile)).agents.doomed_agent!.deployment).toBeNull();
    expect(aws.rejections()).toEqual([]);

    const again = await runCli(["destroy", "--yes"], { cwd: project.dir, env: awsEnv(aws) });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing of agent doomed_agent was left to delete/);
  });

  it("--delete-ecr-repo also deletes the repository with its images", async () => {
    const project = await launched("repo_agent");
    expect(aws.ecr.repositories.get("bedrock-agentcore-repo_agent")!.images.size).toBe(1);
    const result = await runCli(["destroy", "--yes", "--delete-ecr-repo"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Deleted ECR repository bedrock-agentcore-repo_agent/);
    expect(aws.ecr.repositories.has("bedrock-agentcore-repo_agent")).toBe(false);
    expect(aws.rejections()).toEqual([]);
  });

  it("--yes on a never-launched agent makes no AWS call at all (no IAM, no CodeBuild)", async () => {
    const project = await makeProject({ agentName: "idle_agent" });
    const mark = aws.mark();
    const result = await runCli(["destroy", "--yes"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Nothing of agent idle_agent was left to delete in us-east-1: it was never launched/);
    expect(aws.calls(mark)).toEqual([]);
  });

  it("never changes or deletes a role agentcore-ts did not create, even under its own role name", async () => {
    const name = "borrowed_role_agent";
    const role = aws.iam.seedRole(runtimeRoleName(aws.region, name), {
      policies: {
        Handmade: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
      },
    });
    const trustBefore = role.trustPolicy;
    const project = await launched(name);
    expect(project.roleArn).toBe(role.arn);
    const result = await runCli(["destroy", "--yes", "--json"], { cwd: project.dir, env: awsEnv(aws) });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).executionRole).toEqual({ name: role.name, outcome: "not-managed" });
    expect(aws.iam.roles.get(role.name)).toBe(role);
    expect(role.trustPolicy).toBe(trustBefore);
    expect([...role.inlinePolicies.keys()]).toEqual(["Handmade"]);
    const writes = aws.iam.calls.filter(
      (c) => /^(Put|Update|Delete|Detach)/.test(c.operation) && JSON.stringify(c.input).includes(role.name),
    );
    expect(writes).toEqual([]);
  });

  describe("confirmation prompt (operation with a scripted prompter)", () => {
    it("declining deletes nothing; accepting deletes", async () => {
      const project = await launched("prompted_agent");
      const declined = context(project.dir, [false]);
      const kept = await destroy({}, declined.ctx);
      printDestroy(kept, declined.output);
      expect(kept.cancelled).toBe(true);
      expect(declined.prompter.asked).toEqual(["Destroy agent prompted_agent?"]);
      expect(declined.output.lines.join("\n")).toMatch(/runtime prompted_agent-\w+[\s\S]*Nothing was deleted/);
      expect(aws.control.runtimes.has(project.runtimeId)).toBe(true);

      const accepted = context(project.dir, [true]);
      const gone = await destroy({}, accepted.ctx);
      expect(gone).toMatchObject({ cancelled: false, runtime: "deleted" });
      expect(aws.control.runtimes.has(project.runtimeId)).toBe(false);
    });
  });
});
