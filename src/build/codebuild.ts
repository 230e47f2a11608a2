/**
 * The cloud build: zip the context, upload it to the account's source bucket, and run the agent's
 * ARM CodeBuild project (created on first use with its own tagged service role) until the image
 * is pushed. Needs no local engine.
 */
import type { Build, CodeBuildClient } from "@aws-sdk/client-codebuild";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { S3Client } from "@aws-sdk/client-s3";
import type { CallerIdentity } from "../aws/account.js";
import { ensureProject, getBuild, isRolePropagationError, projectNameFor, startBuild } from "../aws/codebuild.js";
import type { Repository } from "../aws/ecr.js";
import { codebuildRoleName, ensureManagedRole } from "../aws/iam-role.js";
import { codebuildPolicy, codebuildTrustPolicy } from "../aws/policies.js";
import { pollUntil, retryWhilePropagating, type Timing } from "../aws/polling.js";
import { ensureSourceBucket, putObject, sourceBucketName } from "../aws/s3.js";
import { AgentcoreError, fromAwsError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { type BuildContext, zipBuildContext } from "./context.js";

export interface CodeBuildClients {
  s3: S3Client;
  iam: IAMClient;
  codebuild: CodeBuildClient;
}

export interface CodeBuildJob {
  identity: CallerIdentity;
  region: string;
  agentName: string;
  context: BuildContext;
  repository: Repository;
  imageUri: string;
  timing: Timing;
}

export interface CodeBuildOutcome {
  buildId: string;
  projectName: string;
  sourceLocation: string;
}

export async function buildWithCodeBuild(clients: CodeBuildClients, job: CodeBuildJob, output: Output): Promise<CodeBuildOutcome> {
  const { identity, region, agentName } = job;
  const scope = { partition: identity.partition, region, account: identity.account };
  const bucket = sourceBucketName(identity.account, region);
  const key = `${agentName}/${job.context.tag}.zip`;
  const projectName = projectNameFor(agentName);

  await output.task(`Uploading the build context to s3://${bucket}/${key}`, async (progress) => {
    if (await ensureSourceBucket(clients.s3, bucket, region, identity.account)) progress(`created bucket ${bucket}`);
    const zip = await zipBuildContext(job.context);
    progress(`${job.context.entries.length} entries, ${(zip.length / 1024).toFixed(0)} KiB`);
    await putObject(clients.s3, bucket, key, zip, identity.account);
  });

  const role = await ensureManagedRole(clients.iam, {
    name: codebuildRoleName(region, agentName),
    description: `CodeBuild service role for building agent ${agentName} (agentcore-ts)`,
    trustPolicy: codebuildTrustPolicy(scope),
    policyName: "AgentCoreImageBuild",
    policy: codebuildPolicy({ ...scope, repositoryArn: job.repository.arn, bucket, projectName }),
  });
  if (role.created) output.success(`Created CodeBuild role ${role.name}`);
  if (!role.managed) output.warn(`IAM role ${role.name} exists but was not created by agentcore-ts; using it unchanged.`);

  // A fresh (or just rewritten) role is refused by CodeBuild for a few seconds.
  const propagating = (error: unknown) => role.changed && isRolePropagationError(error);
  const onRetry = (attempt: number) => output.debug(`CodeBuild cannot assume ${role.name} yet (IAM propagation), retry ${attempt}`);
  const projectState = await retryWhilePropagating(
    () => ensureProject(clients.codebuild, { name: projectName, serviceRoleArn: role.arn, bucket, agentName }),
    propagating,
    job.timing,
    onRetry,
  );
  if (projectState === "created") output.success(`Created CodeBuild project ${projectName}`);
  if (projectState === "not-managed") output.warn(`CodeBuild project ${projectName} was not created by agentcore-ts; using it unchanged.`);

  const sourceLocation = `${bucket}/${key}`;
  const registry = job.repository.uri.split("/")[0] ?? "";
  return output.task(`Building ${job.imageUri} in CodeBuild (ARM)`, async (progress) => {
    let build: Build;
    try {
      build = await retryWhilePropagating(
        () =>
          startBuild(clients.codebuild, {
            projectName,
            sourceLocation,
            environment: { IMAGE_URI: job.imageUri, REGISTRY: registry, DOCKERFILE: job.context.dockerfileInZip },
          }),
        propagating,
        job.timing,
        onRetry,
      );
    } catch (error) {
      throw fromAwsError(error, `Start a build of CodeBuild project ${projectName}`);
    }
    const buildId = build.id ?? "";
    let lastPhase = "";
    const finished = await pollUntil(
      async () => {
        const current = await getBuild(clients.codebuild, buildId);
        const phase = current?.currentPhase ?? "SUBMITTED";
        if (phase !== lastPhase) {
          output.debug(`CodeBuild ${buildId}: ${phase}`);
          lastPhase = phase;
        }
        progress(`phase ${phase}`);
        return current?.buildStatus && current.buildStatus !== "IN_PROGRESS" ? current : undefined;
      },
      {
        timing: job.timing,
        what: `CodeBuild build ${buildId}`,
        hint: `The build continues in AWS: aws codebuild batch-get-builds --ids ${buildId}; then run launch again.`,
        maxIntervalUnits: 3,
      },
    );
    if (finished.buildStatus !== "SUCCEEDED") throw buildFailed(finished);
    return { buildId, projectName, sourceLocation };
  });
}

function buildFailed(build: Build): AgentcoreError {
  const failedPhase = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== "SUCCEEDED" && p.phaseStatus !== "IN_PROGRESS");
  const reason = failedPhase?.contexts
    ?.map((c) => c.message)
    .filter(Boolean)
    .join("; ");
  const logs = build.logs?.deepLink ?? (build.logs?.groupName ? `aws logs tail ${build.logs.groupName} --since 1h` : undefined);
  return new AgentcoreError(
    `CodeBuild build ${build.id} ${build.buildStatus}${failedPhase ? ` in phase ${failedPhase.phaseType}` : ""}${reason ? `: ${reason}` : ""}.`,
    {
      code: "ImageBuildFailed",
      hint: `Read the build log${logs ? `: ${logs}` : ""}. Fix the Dockerfile or sources and launch again.`,
      details: { buildId: build.id, buildStatus: build.buildStatus, phase: failedPhase?.phaseType },
    },
  );
}
