/**
 * `agentcore-ts launch`: image (build only when its sources changed) and ECR repository, or for a
 * code agent the zip uploaded to S3 under its content hash (commands/launch/code.ts); execution
 * role, then CreateAgentRuntime the first time and UpdateAgentRuntime afterwards, then wait until
 * the DEFAULT endpoint serves the new version. The deployment section of .agentcore.json is written
 * as soon as Create/Update returns, so Ctrl-C during the wait leaves it consistent and a rerun
 * resumes waiting instead of deploying again.
 */
import type { BedrockAgentCoreControlClient, GetAgentRuntimeCommandOutput } from "@aws-sdk/client-bedrock-agentcore-control";
import { type CallerIdentity, callerIdentity } from "../../aws/account.js";
import type { AwsClients } from "../../aws/clients.js";
import { ensureManagedRole, runtimeRoleName } from "../../aws/iam-role.js";
import { runtimeExecutionPolicy, runtimeTrustPolicy } from "../../aws/policies.js";
import { retryWhilePropagating, type Timing, timingFrom } from "../../aws/polling.js";
import {
  checkAuthorizerMembers,
  configurationHash,
  createRuntime,
  DEFAULT_ENDPOINT,
  findRuntimeByName,
  getEndpoint,
  getRuntime,
  logGroupFor,
  type RuntimeConfiguration,
  type RuntimeRef,
  runtimeConfiguration,
  runtimeWriteError,
  updateRuntime,
  waitForLiveVersion,
  waitUntilSettled,
} from "../../aws/runtime.js";
import { awsErrorMessage, isAwsError, MANAGED_TAG_KEY } from "../../aws/sdk-errors.js";
import { buildImage, type ImagePlan, type ImageSource, planImage } from "../../build/image.js";
import type { AgentConfig } from "../../config/schema.js";
import { updateConfig } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { ConfigError, UsageError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import { invokeHint, openCloudAgent, refuseLoopbackIssuer } from "../shared/cloud-agent.js";
import { type CodeArtifact, prepareCodeArtifact } from "./code.js";
import type { LaunchInputs, LaunchResult } from "./types.js";

/** What this launch deploys: an image, or a code zip in S3. */
type Deployed = { kind: "container"; plan: ImagePlan; image: ImageSource } | { kind: "code"; code: CodeArtifact };

interface ExecutionRole {
  arn: string;
  /** agentcore-ts created it (tagged): the only kind it ever changes or deletes. */
  managed: boolean;
  /**
   * agentcore-ts created it or rewrote its policies in this run: its trust is known-good and IAM may
   * not have propagated it yet, so a "cannot be assumed" refusal is worth retrying. An older role
   * refused the same way is broken, and waiting ~45 s would only hide that.
   */
  fresh: boolean;
}

/** The runtime's "role cannot be assumed yet" refusal of a fresh role. */
function isRolePropagationRefusal(error: unknown): boolean {
  const message = awsErrorMessage(error);
  return (
    (isAwsError(error, "ValidationException") && /Role validation failed|cannot be assumed/i.test(message)) ||
    (isAwsError(error, "InvalidParameterValueException") && /cannot be assumed/i.test(message))
  );
}

async function executionRole(
  agent: AgentConfig,
  scope: { identity: CallerIdentity; region: string; imageUri: string },
  aws: AwsClients,
  output: Output,
): Promise<ExecutionRole> {
  if (agent.executionRole !== "auto") return { arn: agent.executionRole, managed: false, fresh: false };
  const iam = await aws.iam();
  const base = { partition: scope.identity.partition, region: scope.region, account: scope.identity.account };
  const role = await output.task("Execution role", async (progress) => {
    const outcome = await ensureManagedRole(iam, {
      name: runtimeRoleName(scope.region, agent.name),
      description: `AgentCore Runtime execution role for agent ${agent.name} (agentcore-ts)`,
      trustPolicy: runtimeTrustPolicy(base),
      policyName: "AgentCoreRuntimeExecution",
      policy: runtimeExecutionPolicy({ ...base, agentName: agent.name, imageUri: scope.imageUri, protocol: agent.protocol }),
    });
    progress(outcome.arn);
    return outcome;
  });
  if (role.created) output.success(`Created execution role ${role.name}`);
  else if (role.changed) output.success(`Updated the policies of execution role ${role.name}`);
  if (!role.managed) {
    output.warn(`IAM role ${role.name} exists but was not created by agentcore-ts (no ${MANAGED_TAG_KEY} tag): using it unchanged.`);
  }
  return { arn: role.arn, managed: role.managed, fresh: role.managed && (role.created || role.changed) };
}

export async function launch(inputs: LaunchInputs, ctx: CommandContext): Promise<LaunchResult> {
  const { output } = ctx;
  if (inputs.watch) {
    throw new UsageError("--watch reloads the agent of a local runtime: it goes with --local.", {
      code: "ConflictingFlags",
      hint: "Run `agentcore-ts launch --local --watch` for the dev loop; a deployed agent is updated by `agentcore-ts launch`.",
    });
  }
  if (inputs.install) {
    throw new UsageError("--install installs a local agent's dependencies: it goes with --local.", {
      code: "ConflictingFlags",
      hint: "Run `agentcore-ts launch --local --install`; a deployed agent's dependencies are installed by its image build (or the code package).",
    });
  }
  const { loaded, agent, aws, region } = await openCloudAgent(ctx, inputs.agentName);
  checkAuthorizerMembers(agent);
  refuseLoopbackIssuer(agent);
  const timing = timingFrom(ctx.env, inputs.timeoutSeconds);
  const identity = await output.task("AWS account", async (progress) => {
    const who = await callerIdentity(aws);
    progress(`${who.account} (${region})`);
    return who;
  });

  // From here on launch may create AWS resources (ECR repository, roles, CodeBuild project, code bucket):
  // say so in .agentcore.json first, so destroy knows an agent without a deployment section owns nothing in AWS.
  await updateConfig(loaded.file, (config) => {
    const stored = config.agents[agent.name];
    if (stored) stored.deployment = { ...(stored.deployment ?? {}), region };
  });
  let deployed: Deployed;
  let role: ExecutionRole;
  if (agent.deploy === "code") {
    if (inputs.imageUri !== undefined || inputs.build !== undefined) {
      throw new UsageError(
        `Agent ${agent.name} deploys as code (configure --deploy code): --image-uri and --build are for container agents.`,
        {
          hint: "Drop the flag, or switch the agent with `agentcore-ts configure --deploy container`.",
          code: "ConflictingFlags",
        },
      );
    }
    const code = await prepareCodeArtifact({ agent, projectDir: loaded.dir, identity, region, env: ctx.env }, aws, output);
    role = await executionRole(agent, { identity, region, imageUri: "" }, aws, output);
    deployed = { kind: "code", code };
  } else {
    if (inputs.imageUri !== undefined && inputs.build !== undefined)
      output.warn(`--build ${inputs.build} has no effect with --image-uri: nothing is built.`);
    const plan = await planImage({ agent, configDir: loaded.dir, imageUri: inputs.imageUri, identity }, aws, output);
    role = await executionRole(agent, { identity, region, imageUri: plan.imageUri }, aws, output);
    const image: ImageSource =
      plan.kind === "provided"
        ? "provided"
        : await buildImage({ plan, mode: inputs.build, agent, identity, region, timing, env: ctx.env }, aws, output);
    deployed = { kind: "container", plan, image };
  }
  const previousArtifact = agent.deployment?.runtimeId ? (agent.deployment.artifact ?? "container") : undefined;
  if (previousArtifact && previousArtifact !== deployed.kind) {
    // UpdateAgentRuntime takes the same artifact union as Create (SDK model), and no AWS page forbids
    // changing its member; the old version stays as it was (versions are immutable) if AWS refuses.
    output.warn(
      `Switching ${agent.name} from ${previousArtifact === "code" ? "a code zip" : "a container image"} to ${deployed.kind === "code" ? "a code zip" : "a container image"}: the runtime (and its ARN) is kept, a new version is deployed.`,
    );
  }

  const configuration = runtimeConfiguration(agent, deployed.kind === "code" ? deployed.code.artifact : deployed.plan.imageUri, role.arn);
  const hash = configurationHash(configuration);
  const control = await aws.control();
  const deployment = agent.deployment;

  const finish = (action: LaunchResult["action"], ref: RuntimeRef, endpoint: LaunchResult["endpoint"]): LaunchResult => ({
    agent: agent.name,
    region,
    account: identity.account,
    action,
    runtimeId: ref.id,
    runtimeArn: ref.arn,
    runtimeVersion: ref.version,
    endpoint,
    artifact: deployed.kind,
    ...(deployed.kind === "container"
      ? {
          imageUri: deployed.plan.imageUri,
          image: deployed.image,
          ...(deployed.plan.kind === "context" ? { ecrRepositoryUri: deployed.plan.repository.uri } : {}),
        }
      : { code: { bucket: deployed.code.bucket, key: deployed.code.key, uploaded: deployed.code.uploaded, ...deployed.code.package } }),
    executionRoleArn: role.arn,
    executionRoleCreated: role.managed,
    authorization: agent.authorizerConfiguration ? "customJWTAuthorizer" : "IAM",
    next: invokeHint(Boolean(agent.authorizerConfiguration), inputs.agentName),
    configurationHash: hash,
    logGroup: logGroupFor(ref.id),
  });

  // What an earlier launch deployed, if it still exists.
  let existing: GetAgentRuntimeCommandOutput | undefined;
  if (deployment?.runtimeId) {
    existing = await getRuntime(control, deployment.runtimeId);
    if (!existing) output.warn(`Runtime ${deployment.runtimeId} no longer exists (deleted outside agentcore-ts): creating a new one.`);
  }

  if (
    existing &&
    deployment?.runtimeVersion &&
    deployment.configurationHash === hash &&
    existing.agentRuntimeVersion === deployment.runtimeVersion
  ) {
    const ref: RuntimeRef = {
      id: existing.agentRuntimeId ?? deployment.runtimeId!,
      arn: existing.agentRuntimeArn ?? "",
      version: deployment.runtimeVersion,
    };
    if (existing.status === "READY") {
      const endpoint = await getEndpoint(control, ref.id);
      if (endpoint?.status === "READY" && endpoint.liveVersion === ref.version) {
        return finish("unchanged", ref, { name: DEFAULT_ENDPOINT, status: endpoint.status, liveVersion: endpoint.liveVersion });
      }
    }
    if (existing.status === "READY" || existing.status === "CREATING" || existing.status === "UPDATING") {
      output.info(`Version ${ref.version} of ${ref.id} was deployed by an earlier launch and is not live yet: waiting for it.`);
      const live = await waitLive(control, ref, timing, output);
      return finish("resumed", ref, { name: DEFAULT_ENDPOINT, ...live });
    }
    // A failed deployment of the same configuration: deploy it again.
  }

  if (existing?.status && ["CREATING", "UPDATING", "DELETING"].includes(existing.status)) {
    const settled = await output.task(`Waiting for ${existing.agentRuntimeId} to finish its current change`, (progress) =>
      waitUntilSettled(control, existing!.agentRuntimeId!, timing, progress),
    );
    existing = settled ?? undefined;
  }

  const withRetry = (action: () => Promise<RuntimeRef>) =>
    retryWhilePropagating(
      action,
      (error) => role.fresh && isRolePropagationRefusal(error),
      timing,
      (attempt, delayMs) =>
        output.info(
          `The new execution role is not usable by AgentCore yet (IAM propagation): retry ${attempt} in ${Math.round(delayMs / 1000)}s`,
        ),
    );

  const write: RuntimeWrite = { control, name: agent.name, configuration, withRetry, output };
  const { ref, action } = await output.task(
    existing ? `Updating runtime ${existing.agentRuntimeId}` : `Creating runtime ${agent.name}`,
    () => (existing ? updateOrCreate(write, existing.agentRuntimeId!) : createOrAdopt(write)),
  );

  await recordDeployment(loaded.file, agent.name, region, { ref, action, deployed, role, hash });

  const live = await waitLive(control, ref, timing, output);
  return finish(action, ref, { name: DEFAULT_ENDPOINT, ...live });
}

/** The deployment section, written as soon as Create/Update returns (a rerun after Ctrl-C resumes waiting). */
async function recordDeployment(
  file: string,
  agentName: string,
  region: string,
  d: { ref: RuntimeRef; action: WriteOutcome["action"]; deployed: Deployed; role: ExecutionRole; hash: string },
): Promise<void> {
  await updateConfig(file, (config) => {
    const stored = config.agents[agentName];
    if (!stored) {
      throw new ConfigError(`Agent ${agentName} disappeared from ${file} during launch; runtime ${d.ref.id} was ${d.action} anyway.`, {
        hint: "Add the agent back with `agentcore-ts configure`, then run launch again to record the runtime.",
        code: "AgentNotFound",
      });
    }
    const previous = stored.deployment ?? {};
    const artifact =
      d.deployed.kind === "container"
        ? {
            imageUri: d.deployed.plan.imageUri,
            ...(d.deployed.plan.kind === "context" ? { ecrRepositoryUri: d.deployed.plan.repository.uri } : {}),
          }
        : {
            codeBucket: d.deployed.code.bucket,
            codeKey: d.deployed.code.key,
            // Remembered across launches: destroy removes only a bucket agentcore-ts created.
            codeBucketCreated: Boolean(previous.codeBucketCreated) || d.deployed.code.bucketCreated,
          };
    // An image URI left from before a switch to code would describe a version no longer live (the ECR repository stays recorded for destroy).
    if (d.deployed.kind === "code") delete previous.imageUri;
    stored.deployment = {
      ...previous,
      runtimeId: d.ref.id,
      runtimeArn: d.ref.arn,
      runtimeVersion: d.ref.version,
      region,
      artifact: d.deployed.kind,
      ...artifact,
      executionRoleArn: d.role.arn,
      executionRoleCreated: d.role.managed,
      configurationHash: d.hash,
      updatedAt: new Date().toISOString(),
    };
  });
}

function waitLive(control: BedrockAgentCoreControlClient, ref: RuntimeRef, timing: Timing, output: Output) {
  return output.task(`Waiting for the ${DEFAULT_ENDPOINT} endpoint to serve version ${ref.version}`, async (progress) => {
    const live = await waitForLiveVersion(control, ref, timing, progress);
    return { status: live.status, liveVersion: live.liveVersion };
  });
}

/** What a Create or Update sends, and how. */
interface RuntimeWrite {
  control: BedrockAgentCoreControlClient;
  name: string;
  configuration: RuntimeConfiguration;
  /** Retries while a fresh execution role is still propagating. */
  withRetry: (action: () => Promise<RuntimeRef>) => Promise<RuntimeRef>;
  output: Output;
}

type WriteOutcome = { ref: RuntimeRef; action: "created" | "updated" };

/** Create; on ConflictException (the config lost its runtime id) find the runtime by name and update it. */
async function createOrAdopt(w: RuntimeWrite): Promise<WriteOutcome> {
  try {
    return { ref: await w.withRetry(() => createRuntime(w.control, w.name, w.configuration)), action: "created" };
  } catch (error) {
    if (!isAwsError(error, "ConflictException")) throw runtimeWriteError(error, "CreateAgentRuntime");
    const found = await findRuntimeByName(w.control, w.name);
    if (!found) throw runtimeWriteError(error, "CreateAgentRuntime");
    w.output.warn(`A runtime named ${w.name} already exists (${found.id}) but .agentcore.json did not record it: updating it.`);
    try {
      return { ref: await w.withRetry(() => updateRuntime(w.control, found.id, w.configuration)), action: "updated" };
    } catch (updateError) {
      throw runtimeWriteError(updateError, `UpdateAgentRuntime ${found.id}`);
    }
  }
}

/** Update; when the runtime vanished in the meantime, create a new one. */
async function updateOrCreate(w: RuntimeWrite, id: string): Promise<WriteOutcome> {
  try {
    return { ref: await w.withRetry(() => updateRuntime(w.control, id, w.configuration)), action: "updated" };
  } catch (error) {
    if (!isAwsError(error, "ResourceNotFoundException")) throw runtimeWriteError(error, `UpdateAgentRuntime ${id}`);
    w.output.warn(`Runtime ${id} was deleted meanwhile: creating a new one.`);
    return createOrAdopt(w);
  }
}
