/**
 * `agentcore-ts destroy`: deletes the agent's runtime (and waits until it is gone), then what
 * agentcore-ts created for it: the execution role and the CodeBuild project and role, each only
 * when it carries the managed tag, a code agent's zips when agentcore-ts created their bucket, and
 * with --delete-ecr-repo the ECR repository. The deployment section keeps what a rerun needs once the
 * runtime is gone and is cleared when everything is: an agent without one (never launched, or
 * destroyed) owns nothing in AWS, and destroy then calls no AWS API.
 */

import { callerIdentity } from "../../aws/account.js";
import type { AwsClients } from "../../aws/clients.js";
import { deleteAgentArtifacts, isManagedBucket } from "../../aws/code-bucket.js";
import { deleteManagedProject, projectNameFor } from "../../aws/codebuild.js";
import { deleteRepository, type RepositoryRef, repositoryRef } from "../../aws/ecr.js";
import { codebuildRoleName, deleteManagedRole, roleNameFromArn, runtimeRoleName } from "../../aws/iam-role.js";
import { timingFrom } from "../../aws/polling.js";
import { deleteRuntime, getRuntime, waitUntilDeleted } from "../../aws/runtime.js";
import type { AgentConfig } from "../../config/schema.js";
import { updateConfig } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { UsageError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import { openCloudAgent } from "../shared/cloud-agent.js";
import type { DestroyInputs, DestroyResult } from "./types.js";

/** The execution role destroy may delete: the one launch recorded, else the deterministic auto name. */
function executionRoleName(agent: AgentConfig, region: string): string | undefined {
  const recorded = agent.deployment?.executionRoleArn;
  if (recorded && agent.deployment?.executionRoleCreated) return roleNameFromArn(recorded);
  return agent.executionRole === "auto" ? runtimeRoleName(region, agent.name) : undefined;
}

function repositoryToDelete(agent: AgentConfig): RepositoryRef {
  const recorded = agent.deployment?.ecrRepositoryUri;
  return repositoryRef(recorded ?? agent.ecrRepository, agent.name);
}

/** The agent's zips, from a bucket agentcore-ts created (tagged); any other bucket is left alone. */
async function removeCodeArtifacts(
  aws: AwsClients,
  bucket: string,
  agentName: string,
  output: Output,
): Promise<DestroyResult["codeArtifacts"]> {
  const s3 = await aws.s3();
  const { account } = await callerIdentity(aws);
  const managed = await isManagedBucket(s3, bucket, account);
  if (managed === undefined) return { bucket, outcome: "not-found", objects: 0 };
  if (!managed) {
    output.info(`Kept the code zips in s3://${bucket}: agentcore-ts did not create that bucket.`);
    return { bucket, outcome: "not-managed", objects: 0 };
  }
  const objects = await deleteAgentArtifacts(s3, bucket, agentName, account);
  return { bucket, outcome: objects > 0 ? "deleted" : "not-found", objects };
}

export async function destroy(inputs: DestroyInputs, ctx: CommandContext): Promise<DestroyResult> {
  const { output } = ctx;
  const { loaded, agent, aws, region } = await openCloudAgent(ctx, inputs.agentName);
  const timing = timingFrom(ctx.env, inputs.timeoutSeconds);
  const runtimeId = agent.deployment?.runtimeId;
  const codeBucket = typeof agent.deployment?.codeBucket === "string" ? agent.deployment.codeBucket : undefined;
  const roleName = executionRoleName(agent, region);
  const repository = repositoryToDelete(agent);
  const projectName = projectNameFor(agent.name);
  const buildRoleName = codebuildRoleName(region, agent.name);
  const result: DestroyResult = {
    agent: agent.name,
    region,
    cancelled: false,
    neverLaunched: !agent.deployment,
    ...(runtimeId ? { runtimeId } : {}),
    runtime: runtimeId ? "not-found" : "not-launched",
    executionRole: { ...(roleName ? { name: roleName } : {}), outcome: roleName ? "not-found" : "kept" },
    ecrRepository: { name: repository.name, outcome: "kept" },
    codebuildProject: { name: projectName, outcome: "not-found" },
    codebuildRole: { name: buildRoleName, outcome: "not-found" },
  };

  // launch records a deployment section before it creates anything in AWS, and destroy clears it only
  // once everything is gone: without one there is nothing there to delete, and no IAM, CodeBuild or runtime
  // call is made (only the repository that --delete-ecr-repo asks for, which a destroy keeps by default).
  if (result.neverLaunched) {
    result.executionRole.outcome = "kept";
    result.codebuildProject.outcome = "kept";
    result.codebuildRole.outcome = "kept";
    if (!inputs.deleteEcrRepo) return result;
  }

  const targets = [
    runtimeId ? `runtime ${runtimeId}` : undefined,
    roleName ? `execution role ${roleName} (only if agentcore-ts created it)` : undefined,
    `CodeBuild project ${projectName} and role ${buildRoleName} (only if agentcore-ts created them)`,
    codeBucket ? `the code zips of ${agent.name} in s3://${codeBucket} (only if agentcore-ts created the bucket)` : undefined,
    inputs.deleteEcrRepo ? `ECR repository ${repository.name} WITH ALL ITS IMAGES` : undefined,
  ].filter((t): t is string => t !== undefined);
  if (!inputs.yes) {
    if (!ctx.prompter.interactive) {
      throw new UsageError(`destroy deletes AWS resources of agent ${agent.name} and needs a confirmation.`, {
        hint: "Pass --yes to confirm without a prompt (prompts are off: --non-interactive, --json, CI=true or stdin is not a terminal).",
        code: "ConfirmationRequired",
      });
    }
    output.info(`This deletes, in ${region}:\n${targets.map((t) => `  - ${t}`).join("\n")}`);
    if (!(await ctx.prompter.confirm({ message: `Destroy agent ${agent.name}?`, default: false }))) {
      result.cancelled = true;
      return result;
    }
  }

  if (result.neverLaunched) {
    result.ecrRepository.outcome = (await deleteRepository(await aws.ecr(), repository)) ? "deleted" : "not-found";
    return result;
  }

  const control = runtimeId ? await aws.control() : undefined;
  if (runtimeId && control) {
    result.runtime = await output.task(`Deleting runtime ${runtimeId}`, async (progress) => {
      const current = await getRuntime(control, runtimeId);
      if (!current) return "not-found" as const;
      // A rerun after Ctrl-C finds it DELETING already: only wait.
      if (current.status !== "DELETING" && !(await deleteRuntime(control, runtimeId))) return "not-found" as const;
      await waitUntilDeleted(control, runtimeId, timing, progress);
      return "deleted" as const;
    });
    // Step notes are said as each step ends, in that order; the summary is print.ts's. They stay here because
    // the role step's note names a configured role the --json document does not carry, and this one precedes it.
    if (result.runtime === "not-found") output.info(`Runtime ${runtimeId} was already gone.`);
    // The runtime is gone; what a rerun needs to find the rest stays until the rest is gone too.
    await updateConfig(loaded.file, (config) => {
      const stored = config.agents[agent.name];
      const d = stored?.deployment;
      if (stored && d) {
        stored.deployment = {
          region,
          ...(d.executionRoleArn ? { executionRoleArn: d.executionRoleArn } : {}),
          ...(d.executionRoleCreated !== undefined ? { executionRoleCreated: d.executionRoleCreated } : {}),
          ...(d.ecrRepositoryUri ? { ecrRepositoryUri: d.ecrRepositoryUri } : {}),
          ...(typeof d.codeBucket === "string" ? { codeBucket: d.codeBucket } : {}),
        };
      }
    });
  }

  if (roleName) {
    const iam = await aws.iam();
    result.executionRole.outcome = await deleteManagedRole(iam, roleName);
    if (result.executionRole.outcome === "not-managed") output.info(`Kept IAM role ${roleName}: agentcore-ts did not create it.`);
  } else {
    output.info(`Kept execution role ${agent.executionRole}: it is configured in .agentcore.json, not created by agentcore-ts.`);
  }

  if (codeBucket) result.codeArtifacts = await removeCodeArtifacts(aws, codeBucket, agent.name, output);

  const codebuild = await aws.codebuild();
  result.codebuildProject.outcome = await deleteManagedProject(codebuild, projectName);
  result.codebuildRole.outcome = await deleteManagedRole(await aws.iam(), buildRoleName);

  if (inputs.deleteEcrRepo) {
    result.ecrRepository.outcome = (await deleteRepository(await aws.ecr(), repository)) ? "deleted" : "not-found";
  }
  await updateConfig(loaded.file, (config) => {
    const stored = config.agents[agent.name];
    if (stored) stored.deployment = null;
  });
  return result;
}
