/**
 * Which image launch deploys: a given --image-uri, or the agent's build context tagged with its
 * content hash in the agent's ECR repository, built (docker or CodeBuild) only when ECR lacks it.
 */
import type { CallerIdentity } from "../aws/account.js";
import type { AwsClients } from "../aws/clients.js";
import { CONTAINER_URI, ensureRepository, imageExists, type Repository, registryCredentials, repositoryRef } from "../aws/ecr.js";
import type { Timing } from "../aws/polling.js";
import type { AgentConfig } from "../config/schema.js";
import { UsageError, ValidationError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { buildWithCodeBuild } from "./codebuild.js";
import { type BuildContext, locateDockerfile, readBuildContext } from "./context.js";
import { buildAndPush, findBuildEngine } from "./docker.js";

export type BuildMode = "docker" | "codebuild";

export type ImagePlan =
  | { kind: "provided"; imageUri: string }
  | { kind: "context"; imageUri: string; repository: Repository; context: BuildContext; exists: boolean };

/** How the image came to be, for the result document. */
export type ImageSource = "provided" | "unchanged" | BuildMode;

export async function planImage(
  args: { agent: AgentConfig; configDir: string; imageUri?: string; identity: CallerIdentity },
  aws: AwsClients,
  output: Output,
): Promise<ImagePlan> {
  if (args.imageUri !== undefined) {
    if (!CONTAINER_URI.test(args.imageUri)) {
      throw new ValidationError(`--image-uri "${args.imageUri}" is not an image AgentCore Runtime can run.`, {
        hint: "Use an ECR image: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (or public.ecr.aws/<repository>:<tag>).",
        code: "InvalidImageUri",
      });
    }
    return { kind: "provided", imageUri: args.imageUri };
  }
  const dockerfile = await locateDockerfile(args.configDir, args.agent);
  const ecr = await aws.ecr();
  const repository = await output.task("ECR repository", async (progress) => {
    const repo = await ensureRepository(ecr, repositoryRef(args.agent.ecrRepository, args.agent.name), args.identity.account);
    progress(repo.uri);
    return repo;
  });
  if (repository.created) output.success(`Created ECR repository ${repository.uri} (scan on push)`);
  const context = await readBuildContext(args.configDir, dockerfile);
  const imageUri = `${repository.uri}:${context.tag}`;
  const exists = await imageExists(ecr, repository, context.tag);
  return { kind: "context", imageUri, repository, context, exists };
}

export interface BuildArgs {
  plan: Extract<ImagePlan, { kind: "context" }>;
  mode?: BuildMode;
  agent: AgentConfig;
  identity: CallerIdentity;
  region: string;
  timing: Timing;
  env: NodeJS.ProcessEnv;
}

/** Builds and pushes the planned image unless ECR already holds it. */
export async function buildImage(args: BuildArgs, aws: AwsClients, output: Output): Promise<ImageSource> {
  const { plan } = args;
  if (plan.exists) {
    output.success(`Image ${plan.imageUri} is already in ECR (sources and Dockerfile unchanged): build skipped`);
    return "unchanged";
  }
  const lookup = args.mode === "codebuild" ? undefined : await findBuildEngine(args.env);
  const engine = lookup?.engine;
  if (args.mode === "docker" && !engine) {
    throw new UsageError(`--build docker needs a running container engine: ${lookup?.problem ?? "none found"}.`, {
      hint: `${lookup?.hint ? `${lookup.hint} ` : ""}Or build in the cloud with --build codebuild.`,
      code: "NoContainerEngine",
    });
  }
  if (engine) {
    const ecr = await aws.ecr();
    const credentials = await registryCredentials(ecr);
    // Log in to the repository's own registry (it may be another account's).
    credentials.registry = plan.repository.uri.split("/")[0] ?? credentials.registry;
    await output.task(`Building ${plan.imageUri} (${engine.name}, linux/arm64) and pushing`, (progress) =>
      buildAndPush(
        engine,
        { contextDir: plan.context.dir, dockerfile: plan.context.dockerfile, imageUri: plan.imageUri, credentials },
        args.env,
        progress,
        (line) => output.debug(line),
      ),
    );
    return "docker";
  }
  if (args.mode === undefined)
    output.info(`No container engine is reachable (${lookup?.problem ?? "none found"}): building in AWS CodeBuild (--build codebuild).`);
  const [s3, iam, codebuild] = await Promise.all([aws.s3(), aws.iam(), aws.codebuild()]);
  await buildWithCodeBuild(
    { s3, iam, codebuild },
    {
      identity: args.identity,
      region: args.region,
      agentName: args.agent.name,
      context: plan.context,
      repository: plan.repository,
      imageUri: plan.imageUri,
      timing: args.timing,
    },
    output,
  );
  return "codebuild";
}
