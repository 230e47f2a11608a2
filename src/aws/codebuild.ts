/** CodeBuild: the agent's ARM image-build project, builds, and project deletion. */
import type { Build, CodeBuildClient, EnvironmentVariable } from "@aws-sdk/client-codebuild";
import { fromAwsError } from "../errors.js";
import { sanitizeName } from "./ecr.js";
import { awsErrorMessage, isAwsError, MANAGED_TAG_KEY, MANAGED_TAG_VALUE } from "./sdk-errors.js";

export const BUILD_IMAGE = "aws/codebuild/amazonlinux2-aarch64-standard:3.0";

export function projectNameFor(agentName: string): string {
  return `bedrock-agentcore-${sanitizeName(agentName)}-builder`;
}

/** The build: log in to the registry, build for linux/arm64 (natively: the host is ARM), push. */
export const BUILDSPEC = `version: 0.2
phases:
  pre_build:
    commands:
      - aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "$REGISTRY"
  build:
    commands:
      - docker build --platform linux/arm64 -f "$DOCKERFILE" -t "$IMAGE_URI" .
      - docker push "$IMAGE_URI"
`;

export interface ProjectSpec {
  name: string;
  serviceRoleArn: string;
  bucket: string;
  agentName: string;
}

/** Creates the project, or updates a managed one whose role, image or buildspec drifted; true when it changed. */
export async function ensureProject(cb: CodeBuildClient, spec: ProjectSpec): Promise<"created" | "updated" | "unchanged" | "not-managed"> {
  const sdk = await import("@aws-sdk/client-codebuild");
  let existing: Awaited<ReturnType<typeof getProject>>;
  try {
    existing = await getProject(cb, spec.name);
  } catch (error) {
    throw fromAwsError(error, `Look up CodeBuild project ${spec.name}`);
  }
  const definition = {
    name: spec.name,
    description: `Builds the linux/arm64 image of agent ${spec.agentName} (agentcore-ts)`,
    source: { type: "S3" as const, location: `${spec.bucket}/${spec.agentName}/source.zip`, buildspec: BUILDSPEC },
    artifacts: { type: "NO_ARTIFACTS" as const },
    environment: {
      type: "ARM_CONTAINER" as const,
      image: BUILD_IMAGE,
      computeType: "BUILD_GENERAL1_MEDIUM" as const,
      privilegedMode: true,
      imagePullCredentialsType: "CODEBUILD" as const,
    },
    serviceRole: spec.serviceRoleArn,
    timeoutInMinutes: 60,
  };
  try {
    if (!existing) {
      await cb.send(new sdk.CreateProjectCommand({ ...definition, tags: [{ key: MANAGED_TAG_KEY, value: MANAGED_TAG_VALUE }] }));
      return "created";
    }
    if (!existing.tags?.some((t) => t.key === MANAGED_TAG_KEY && t.value === MANAGED_TAG_VALUE)) return "not-managed";
    const drifted =
      existing.serviceRole !== spec.serviceRoleArn ||
      existing.environment?.image !== BUILD_IMAGE ||
      existing.environment?.type !== "ARM_CONTAINER" ||
      existing.environment?.privilegedMode !== true ||
      existing.source?.buildspec !== BUILDSPEC;
    if (!drifted) return "unchanged";
    await cb.send(new sdk.UpdateProjectCommand(definition));
    return "updated";
  } catch (error) {
    throw fromAwsError(error, `${existing ? "Update" : "Create"} CodeBuild project ${spec.name}`);
  }
}

async function getProject(cb: CodeBuildClient, name: string) {
  const { BatchGetProjectsCommand } = await import("@aws-sdk/client-codebuild");
  const out = await cb.send(new BatchGetProjectsCommand({ names: [name] }));
  return out.projects?.[0];
}

/** True for CodeBuild's refusal while a fresh service role is still propagating through IAM. */
export function isRolePropagationError(error: unknown): boolean {
  // Our wrappers keep the SDK error as `cause`.
  const sdkError = (error as { cause?: unknown } | null)?.cause ?? error;
  return (
    isAwsError(sdkError, "InvalidInputException") &&
    /not authorized to perform: sts:AssumeRole|cannot be assumed/i.test(awsErrorMessage(sdkError))
  );
}

export interface BuildRequest {
  projectName: string;
  /** "bucket/key" of the source zip. */
  sourceLocation: string;
  environment: Record<string, string>;
}

export async function startBuild(cb: CodeBuildClient, request: BuildRequest): Promise<Build> {
  const { StartBuildCommand } = await import("@aws-sdk/client-codebuild");
  const env: EnvironmentVariable[] = Object.entries(request.environment).map(([name, value]) => ({ name, value, type: "PLAINTEXT" }));
  const out = await cb.send(
    new StartBuildCommand({
      projectName: request.projectName,
      sourceTypeOverride: "S3",
      sourceLocationOverride: request.sourceLocation,
      environmentVariablesOverride: env,
    }),
  );
  return out.build ?? {};
}

export async function getBuild(cb: CodeBuildClient, id: string): Promise<Build | undefined> {
  const { BatchGetBuildsCommand } = await import("@aws-sdk/client-codebuild");
  try {
    return (await cb.send(new BatchGetBuildsCommand({ ids: [id] }))).builds?.[0];
  } catch (error) {
    throw fromAwsError(error, `BatchGetBuilds ${id}`);
  }
}

/** Deletes the project if agentcore-ts created it. */
export async function deleteManagedProject(cb: CodeBuildClient, name: string): Promise<"deleted" | "not-managed" | "not-found"> {
  const { DeleteProjectCommand } = await import("@aws-sdk/client-codebuild");
  try {
    const project = await getProject(cb, name);
    if (!project) return "not-found";
    if (!project.tags?.some((t) => t.key === MANAGED_TAG_KEY && t.value === MANAGED_TAG_VALUE)) return "not-managed";
    await cb.send(new DeleteProjectCommand({ name }));
    return "deleted";
  } catch (error) {
    throw fromAwsError(error, `Delete CodeBuild project ${name}`);
  }
}
