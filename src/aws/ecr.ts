/** ECR: the agent's repository, image lookups, registry login and repository deletion. */
import type { ECRClient } from "@aws-sdk/client-ecr";
import { ConfigError, fromAwsError } from "../errors.js";
import { isAwsError, MANAGED_TAG_KEY, MANAGED_TAG_VALUE } from "./sdk-errors.js";

/** containerUri as the control plane validates it (anchored). */
export const CONTAINER_URI =
  /^(([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?|public\.ecr\.aws)\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([^:@]{1,300}))?(?:@(.+))?$/;

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The toolkit's sanitize: lower case, other characters to '-', runs of separators collapsed, ends trimmed. */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._\-/]/g, "-")
    .replace(/([._\-/])[._\-/]+/g, "$1")
    .replace(/^[._\-/]+|[._\-/]+$/g, "");
}

/** `bedrock-agentcore-{sanitized agent name}` (the starter toolkit's name, so users find it). */
export function defaultRepositoryName(agentName: string): string {
  return `bedrock-agentcore-${sanitizeName(agentName)}`;
}

export interface RepositoryRef {
  name: string;
  /** The registry (account) when the setting was a full URI. */
  registryId?: string;
}

/** Reads the agent's `ecrRepository` setting: "auto", a repository name, or a repository URI. */
export function repositoryRef(setting: string, agentName: string): RepositoryRef {
  if (setting === "auto") return { name: defaultRepositoryName(agentName) };
  const uri = /^([0-9]{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(setting);
  const ref: RepositoryRef = uri ? { name: uri[2]!, registryId: uri[1] } : { name: setting };
  if (!REPOSITORY_NAME.test(ref.name) || ref.name.length < 2 || ref.name.length > 256) {
    throw new ConfigError(`ecrRepository "${setting}" is not a valid ECR repository name or URI.`, {
      hint: 'Use "auto", a name like "my-agent" (lower case, digits, . _ - /) or 123456789012.dkr.ecr.<region>.amazonaws.com/<name>.',
      code: "InvalidRepository",
    });
  }
  return ref;
}

export interface Repository {
  name: string;
  uri: string;
  arn: string;
  registryId: string;
  created: boolean;
}

/** Finds the repository, creating it (scan on push, managed tag) when it is missing and in our account. */
export async function ensureRepository(ecr: ECRClient, ref: RepositoryRef, account: string): Promise<Repository> {
  const sdk = await import("@aws-sdk/client-ecr");
  try {
    const found = await ecr.send(new sdk.DescribeRepositoriesCommand({ repositoryNames: [ref.name], registryId: ref.registryId }));
    const repo = found.repositories?.[0];
    if (repo) {
      return {
        name: ref.name,
        uri: repo.repositoryUri ?? "",
        arn: repo.repositoryArn ?? "",
        registryId: repo.registryId ?? account,
        created: false,
      };
    }
  } catch (error) {
    if (!isAwsError(error, "RepositoryNotFoundException")) throw fromAwsError(error, `Look up ECR repository ${ref.name}`);
  }
  if (ref.registryId && ref.registryId !== account) {
    throw new ConfigError(`ECR repository ${ref.name} does not exist in account ${ref.registryId}.`, {
      hint: 'Create it there, or set ecrRepository to "auto" to use one in your own account.',
      code: "RepositoryNotFound",
    });
  }
  try {
    const out = await ecr.send(
      new sdk.CreateRepositoryCommand({
        repositoryName: ref.name,
        imageScanningConfiguration: { scanOnPush: true },
        tags: [{ Key: MANAGED_TAG_KEY, Value: MANAGED_TAG_VALUE }],
      }),
    );
    const repo = out.repository!;
    return {
      name: ref.name,
      uri: repo.repositoryUri ?? "",
      arn: repo.repositoryArn ?? "",
      registryId: repo.registryId ?? account,
      created: true,
    };
  } catch (error) {
    if (isAwsError(error, "RepositoryAlreadyExistsException")) return ensureRepository(ecr, ref, account);
    throw fromAwsError(error, `Create ECR repository ${ref.name}`);
  }
}

/** True when `tag` exists in the repository (DescribeImages). */
export async function imageExists(ecr: ECRClient, repo: Pick<Repository, "name" | "registryId">, tag: string): Promise<boolean> {
  const { DescribeImagesCommand } = await import("@aws-sdk/client-ecr");
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repo.name, registryId: repo.registryId, imageIds: [{ imageTag: tag }] }),
    );
    return (out.imageDetails?.length ?? 0) > 0;
  } catch (error) {
    if (isAwsError(error, "ImageNotFoundException")) return false;
    throw fromAwsError(error, `Look up image ${repo.name}:${tag}`);
  }
}

export interface RegistryCredentials {
  username: string;
  /** Secret: only ever written to `docker login --password-stdin`. */
  password: string;
  /** Registry host, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com. */
  registry: string;
}

export async function registryCredentials(ecr: ECRClient): Promise<RegistryCredentials> {
  const { GetAuthorizationTokenCommand } = await import("@aws-sdk/client-ecr");
  let data: { authorizationToken?: string; proxyEndpoint?: string } | undefined;
  try {
    data = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  } catch (error) {
    throw fromAwsError(error, "Get an ECR login token (ecr:GetAuthorizationToken)");
  }
  const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return {
    username: colon > 0 ? decoded.slice(0, colon) : "AWS",
    password: colon > 0 ? decoded.slice(colon + 1) : decoded,
    registry: (data?.proxyEndpoint ?? "").replace(/^https?:\/\//, "").replace(/\/+$/, ""),
  };
}

/** Deletes the repository and its images; false when it did not exist. */
export async function deleteRepository(ecr: ECRClient, ref: RepositoryRef): Promise<boolean> {
  const { DeleteRepositoryCommand } = await import("@aws-sdk/client-ecr");
  try {
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: ref.name, registryId: ref.registryId, force: true }));
    return true;
  } catch (error) {
    if (isAwsError(error, "RepositoryNotFoundException")) return false;
    throw fromAwsError(error, `Delete ECR repository ${ref.name}`);
  }
}
