/**
 * Wire-level fake of CodeBuild (JSON 1.1, X-Amz-Target CodeBuild_20161006.*): projects and builds.
 * A build walks CodeBuild's phases one per BatchGetBuilds poll. It really needs its source object in
 * the S3 fake (else DOWNLOAD_SOURCE fails), the service role in the IAM fake trusting
 * codebuild.amazonaws.com, and privileged mode for docker; on success it "pushes" IMAGE_URI into the
 * ECR fake, as the buildspec would.
 */
import type { FakeEcr } from "./aws-ecr.js";
import { FAKE_ACCOUNT, type FakeIam } from "./aws-iam.js";
import type { FakeS3 } from "./aws-s3.js";
import { epochSeconds, FakeAwsError, invalid, Json11Service } from "./aws-wire.js";

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/;
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::[0-9]{12}:role\/.+$/;
const SOURCE_TYPES = new Set([
  "CODECOMMIT",
  "CODEPIPELINE",
  "GITHUB",
  "GITLAB",
  "GITLAB_SELF_MANAGED",
  "S3",
  "BITBUCKET",
  "GITHUB_ENTERPRISE",
  "NO_SOURCE",
]);
const ARM_COMPUTE = new Set([
  "BUILD_GENERAL1_SMALL",
  "BUILD_GENERAL1_MEDIUM",
  "BUILD_GENERAL1_LARGE",
  "BUILD_GENERAL1_XLARGE",
  "BUILD_GENERAL1_2XLARGE",
]);
const PHASES = [
  "SUBMITTED",
  "QUEUED",
  "PROVISIONING",
  "DOWNLOAD_SOURCE",
  "INSTALL",
  "PRE_BUILD",
  "BUILD",
  "POST_BUILD",
  "UPLOAD_ARTIFACTS",
  "FINALIZING",
  "COMPLETED",
];

export interface FakeProject {
  name: string;
  definition: Record<string, unknown>;
  tags: { key: string; value: string }[];
}

export interface FakeBuild {
  id: string;
  projectName: string;
  sourceLocation: string;
  environment: Record<string, string>;
  phaseIndex: number;
  status: "IN_PROGRESS" | "SUCCEEDED" | "FAILED";
  failedPhase?: string;
  failureMessage?: string;
}

export class FakeCodeBuild extends Json11Service {
  readonly projects = new Map<string, FakeProject>();
  readonly builds = new Map<string, FakeBuild>();
  /** The next builds fail in BUILD with this message (e.g. a Dockerfile error). */
  failNextBuild?: string;
  /** The next this-many project writes answer "not authorized to perform: sts:AssumeRole" (IAM propagation of a fresh role). */
  roleNotAssumableTimes = 0;

  constructor(
    private readonly deps: { s3: FakeS3; ecr: FakeEcr; iam: FakeIam },
    readonly region = "us-east-1",
    readonly account = FAKE_ACCOUNT,
  ) {
    super("codebuild", "codebuild", region, "CodeBuild_20161006");
  }

  private validateProject(input: Record<string, unknown>): void {
    const name = input.name;
    if (typeof name !== "string" || !PROJECT_NAME.test(name))
      throw invalid("InvalidInputException", `Invalid project name: ${String(name)}`);
    const source = input.source as { type?: string; location?: string } | undefined;
    if (!source?.type || !SOURCE_TYPES.has(source.type))
      throw invalid("InvalidInputException", "1 validation error detected: Value null at 'source.type'");
    if (source.type === "S3" && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(source.location ?? "")) {
      throw invalid("InvalidInputException", "Invalid source location: S3 locations are <bucket>/<key>");
    }
    const artifacts = input.artifacts as { type?: string } | undefined;
    if (!artifacts?.type) throw invalid("InvalidInputException", "1 validation error detected: Value null at 'artifacts.type'");
    const env = input.environment as { type?: string; image?: string; computeType?: string } | undefined;
    if (!env?.type || !env.image || !env.computeType)
      throw invalid("InvalidInputException", "environment type, image and computeType are required");
    if (env.type === "ARM_CONTAINER" && !ARM_COMPUTE.has(env.computeType)) {
      throw invalid("InvalidInputException", `Invalid compute type ${env.computeType} for environment type ARM_CONTAINER`);
    }
    if (env.type === "ARM_CONTAINER" && !/aarch64|arm/.test(env.image))
      throw invalid("InvalidInputException", `Image ${env.image} is not an ARM image`);
    const role = input.serviceRole;
    if (typeof role !== "string" || !ROLE_ARN.test(role)) throw invalid("InvalidInputException", `Invalid service role: ${String(role)}`);
    const fake = this.deps.iam.roleByArn(role);
    if (!fake?.trustPolicy.includes("codebuild.amazonaws.com") || this.roleNotAssumableTimes-- > 0) {
      throw new FakeAwsError(400, "InvalidInputException", `CodeBuild is not authorized to perform: sts:AssumeRole on ${role}`);
    }
  }

  private projectJson(project: FakeProject) {
    return {
      ...project.definition,
      arn: `arn:aws:codebuild:${this.region}:${this.account}:project/${project.name}`,
      tags: project.tags,
      created: epochSeconds(),
      lastModified: epochSeconds(),
    };
  }

  private buildJson(build: FakeBuild) {
    const phases = PHASES.slice(0, build.phaseIndex + 1).map((phaseType, i) => {
      const last = i === build.phaseIndex;
      const failed = build.status === "FAILED" && phaseType === build.failedPhase;
      return {
        phaseType,
        phaseStatus: failed ? "FAILED" : last && build.status === "IN_PROGRESS" ? undefined : "SUCCEEDED",
        ...(failed ? { contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: build.failureMessage }] } : {}),
        startTime: epochSeconds(),
      };
    });
    return {
      id: build.id,
      arn: `arn:aws:codebuild:${this.region}:${this.account}:build/${build.id}`,
      projectName: build.projectName,
      buildStatus: build.status,
      currentPhase: PHASES[build.phaseIndex],
      phases,
      source: { type: "S3", location: build.sourceLocation },
      logs: {
        groupName: `/aws/codebuild/${build.projectName}`,
        streamName: build.id.split(":")[1],
        deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#logEvent:group=/aws/codebuild/${build.projectName}`,
      },
      startTime: epochSeconds(),
    };
  }

  /** One poll = one phase further. */
  private advance(build: FakeBuild): void {
    if (build.status !== "IN_PROGRESS") return;
    build.phaseIndex += 1;
    const phase = PHASES[build.phaseIndex];
    const fail = (message: string) => {
      build.status = "FAILED";
      build.failedPhase = phase;
      build.failureMessage = message;
    };
    if (phase === "DOWNLOAD_SOURCE") {
      const [bucket = "", ...key] = build.sourceLocation.split("/");
      if (!this.deps.s3.object(bucket, key.join("/")))
        fail(`CLIENT_ERROR: NoSuchKey: The specified key does not exist. for primary source ${build.sourceLocation}`);
    } else if (phase === "BUILD") {
      const project = this.projects.get(build.projectName)!;
      const env = project.definition.environment as { privilegedMode?: boolean };
      if (!env.privilegedMode)
        fail("Error while executing command: docker build. Reason: Cannot connect to the Docker daemon at unix:///var/run/docker.sock");
      else if (this.failNextBuild) {
        fail(this.failNextBuild);
        this.failNextBuild = undefined;
      } else if (build.environment.IMAGE_URI) {
        this.deps.ecr.pushImageUri(build.environment.IMAGE_URI);
      }
    } else if (phase === "COMPLETED") {
      build.status = "SUCCEEDED";
    }
  }

  protected operation(name: string, input: Record<string, unknown>): unknown {
    switch (name) {
      case "BatchGetProjects": {
        const names = (input.names as string[] | undefined) ?? [];
        if (names.length < 1 || names.length > 100) throw invalid("InvalidInputException", "names must have 1-100 items");
        const found = names.map((n) => this.projects.get(n)).filter((p): p is FakeProject => p !== undefined);
        return { projects: found.map((p) => this.projectJson(p)), projectsNotFound: names.filter((n) => !this.projects.has(n)) };
      }
      case "CreateProject": {
        this.validateProject(input);
        const projectName = input.name as string;
        if (this.projects.has(projectName))
          throw new FakeAwsError(400, "ResourceAlreadyExistsException", `Project already exists: ${projectName}`);
        const { tags, ...definition } = input;
        const project: FakeProject = { name: projectName, definition, tags: (tags as { key: string; value: string }[] | undefined) ?? [] };
        this.projects.set(projectName, project);
        return { project: this.projectJson(project) };
      }
      case "UpdateProject": {
        const project = this.projects.get(String(input.name));
        if (!project) throw new FakeAwsError(400, "ResourceNotFoundException", `Project cannot be found: ${String(input.name)}`);
        const merged = { ...project.definition, ...input };
        this.validateProject(merged);
        const { tags, ...definition } = merged;
        project.definition = definition;
        if (tags) project.tags = tags as { key: string; value: string }[];
        return { project: this.projectJson(project) };
      }
      case "StartBuild": {
        const project = this.projects.get(String(input.projectName));
        if (!project) throw new FakeAwsError(400, "ResourceNotFoundException", `Project cannot be found: ${String(input.projectName)}`);
        const env: Record<string, string> = {};
        for (const v of (input.environmentVariablesOverride as { name?: string; value?: string; type?: string }[] | undefined) ?? []) {
          if (!v.name || v.value === undefined) throw invalid("InvalidInputException", "environment variables need a name and a value");
          if (v.type && !["PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"].includes(v.type))
            throw invalid("InvalidInputException", `invalid type ${v.type}`);
          env[v.name] = v.value;
        }
        const sourceLocation = String(input.sourceLocationOverride ?? (project.definition.source as { location?: string }).location ?? "");
        const id = `${project.name}:${(this.builds.size + 1).toString().padStart(8, "0")}-fake`;
        const build: FakeBuild = { id, projectName: project.name, sourceLocation, environment: env, phaseIndex: 0, status: "IN_PROGRESS" };
        this.builds.set(id, build);
        return { build: this.buildJson(build) };
      }
      case "BatchGetBuilds": {
        const ids = (input.ids as string[] | undefined) ?? [];
        if (ids.length < 1 || ids.length > 100) throw invalid("InvalidInputException", "ids must have 1-100 items");
        const builds = ids.map((id) => this.builds.get(id)).filter((b): b is FakeBuild => b !== undefined);
        for (const b of builds) this.advance(b);
        return { builds: builds.map((b) => this.buildJson(b)), buildsNotFound: ids.filter((id) => !this.builds.has(id)) };
      }
      case "DeleteProject": {
        if (!this.projects.delete(String(input.name)))
          throw new FakeAwsError(400, "ResourceNotFoundException", `Project cannot be found: ${String(input.name)}`);
        return {};
      }
      default:
        throw invalid("UnknownOperationException", `unknown operation ${name}`);
    }
  }
}
