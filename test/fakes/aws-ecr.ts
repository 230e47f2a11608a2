/**
 * Wire-level fake of ECR (JSON 1.1, X-Amz-Target AmazonEC2ContainerRegistry_V20150921.*): the
 * repository, image and login calls of launch/destroy, with the repository name pattern, the
 * registry token, and RepositoryNotEmptyException for a non-forced delete.
 */
import { FAKE_ACCOUNT } from "./aws-iam.js";
import { epochSeconds, FakeAwsError, invalid, Json11Service } from "./aws-wire.js";

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG_PART = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export interface FakeRepository {
  name: string;
  scanOnPush: boolean;
  tags: { Key: string; Value: string }[];
  /** tag -> digest */
  images: Map<string, string>;
  createdAt: Date;
}

export class FakeEcr extends Json11Service {
  readonly repositories = new Map<string, FakeRepository>();
  /** The password inside the authorization token: tests check it never leaks. */
  readonly registryPassword = `ecr-password-${Math.random().toString(36).slice(2)}-do-not-leak`;

  constructor(
    readonly region = "us-east-1",
    readonly account = FAKE_ACCOUNT,
  ) {
    super("ecr", "ecr", region, "AmazonEC2ContainerRegistry_V20150921");
  }

  get registry(): string {
    return `${this.account}.dkr.ecr.${this.region}.amazonaws.com`;
  }

  repositoryUri(name: string): string {
    return `${this.registry}/${name}`;
  }

  /** What a `docker push` (or the CodeBuild build) does: the tag now exists. */
  pushImage(repositoryName: string, tag: string): void {
    const repo = this.repositories.get(repositoryName);
    if (!repo) throw new Error(`fake ECR: push to missing repository ${repositoryName}`);
    repo.images.set(tag, `sha256:${Buffer.from(tag).toString("hex").padEnd(64, "0").slice(0, 64)}`);
  }

  /** Parses an image URI of this registry and pushes it. */
  pushImageUri(imageUri: string): void {
    const match = /^[^/]+\/([^:@]+):(.+)$/.exec(imageUri);
    if (!match || !imageUri.startsWith(`${this.registry}/`)) throw new Error(`fake ECR: not an image of ${this.registry}: ${imageUri}`);
    this.pushImage(match[1]!, match[2]!);
  }

  private repositoryJson(repo: FakeRepository) {
    return {
      repositoryArn: `arn:aws:ecr:${this.region}:${this.account}:repository/${repo.name}`,
      registryId: this.account,
      repositoryName: repo.name,
      repositoryUri: this.repositoryUri(repo.name),
      createdAt: epochSeconds(repo.createdAt),
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      encryptionConfiguration: { encryptionType: "AES256" },
    };
  }

  private repository(input: Record<string, unknown>): FakeRepository {
    const name = input.repositoryName;
    if (typeof name !== "string" || !REPOSITORY_NAME.test(name) || name.length < 2 || name.length > 256) {
      throw invalid("InvalidParameterException", `Invalid parameter at 'repositoryName' failed to satisfy constraint: '${String(name)}'`);
    }
    if (input.registryId !== undefined && input.registryId !== this.account) {
      throw new FakeAwsError(
        400,
        "RepositoryNotFoundException",
        `The repository with name '${name}' does not exist in the registry with id '${String(input.registryId)}'`,
      );
    }
    const repo = this.repositories.get(name);
    if (!repo) {
      throw new FakeAwsError(
        400,
        "RepositoryNotFoundException",
        `The repository with name '${name}' does not exist in the registry with id '${this.account}'`,
      );
    }
    return repo;
  }

  protected operation(name: string, input: Record<string, unknown>): unknown {
    switch (name) {
      case "DescribeRepositories": {
        const names = input.repositoryNames as string[] | undefined;
        if (!names) return { repositories: [...this.repositories.values()].map((r) => this.repositoryJson(r)) };
        return {
          repositories: names.map((n) => this.repositoryJson(this.repository({ repositoryName: n, registryId: input.registryId }))),
        };
      }
      case "CreateRepository": {
        const repoName = input.repositoryName;
        if (typeof repoName !== "string" || !REPOSITORY_NAME.test(repoName) || repoName.length < 2 || repoName.length > 256) {
          throw invalid(
            "InvalidParameterException",
            `Invalid parameter at 'repositoryName' failed to satisfy constraint: '${String(repoName)}'`,
          );
        }
        const tags = (input.tags as { Key?: string; Value?: string }[] | undefined) ?? [];
        for (const tag of tags) {
          if (!tag.Key || tag.Key.length > 128 || !TAG_PART.test(tag.Key) || (tag.Value ?? "").length > 256)
            throw invalid("InvalidTagParameterException", `invalid tag ${tag.Key}`);
        }
        if (this.repositories.has(repoName)) {
          throw new FakeAwsError(
            400,
            "RepositoryAlreadyExistsException",
            `The repository with name '${repoName}' already exists in the registry with id '${this.account}'`,
          );
        }
        const scan = input.imageScanningConfiguration as { scanOnPush?: boolean } | undefined;
        const repo: FakeRepository = {
          name: repoName,
          scanOnPush: scan?.scanOnPush === true,
          tags: tags.map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" })),
          images: new Map(),
          createdAt: new Date(),
        };
        this.repositories.set(repoName, repo);
        return { repository: this.repositoryJson(repo) };
      }
      case "DescribeImages": {
        const repo = this.repository(input);
        const ids = (input.imageIds as { imageTag?: string; imageDigest?: string }[] | undefined) ?? [];
        const details = [];
        for (const id of ids) {
          const digest = id.imageTag ? repo.images.get(id.imageTag) : undefined;
          if (!digest) {
            throw new FakeAwsError(
              400,
              "ImageNotFoundException",
              `The image with imageId {imageDigest:'null', imageTag:'${id.imageTag}'} does not exist within the repository with name '${repo.name}' in the registry with id '${this.account}'`,
            );
          }
          details.push({
            registryId: this.account,
            repositoryName: repo.name,
            imageDigest: digest,
            imageTags: [id.imageTag],
            imagePushedAt: epochSeconds(),
          });
        }
        return { imageDetails: details };
      }
      case "GetAuthorizationToken":
        return {
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:${this.registryPassword}`).toString("base64"),
              expiresAt: epochSeconds(new Date(Date.now() + 12 * 3600_000)),
              proxyEndpoint: `https://${this.registry}`,
            },
          ],
        };
      case "DeleteRepository": {
        const repo = this.repository(input);
        if (repo.images.size > 0 && input.force !== true) {
          throw new FakeAwsError(
            400,
            "RepositoryNotEmptyException",
            `The repository with name '${repo.name}' in registry with id '${this.account}' cannot be deleted because it still contains images`,
          );
        }
        this.repositories.delete(repo.name);
        return { repository: this.repositoryJson(repo) };
      }
      default:
        throw invalid("UnknownOperationException", `unknown operation ${name}`);
    }
  }
}
