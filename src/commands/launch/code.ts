/**
 * launch for a code agent: the zip built here (build/code-package.ts), the artifact bucket, and the
 * upload under the zip's content hash (skipped when that object is already there), giving the
 * `codeConfiguration` artifact that Create/Update send.
 */
import type { CallerIdentity } from "../../aws/account.js";
import type { AwsClients } from "../../aws/clients.js";
import { codeBucketName, codeObjectKey, ensureCodeBucket, objectExists } from "../../aws/code-bucket.js";
import type { RuntimeArtifact } from "../../aws/runtime.js";
import { putObject } from "../../aws/s3.js";
import { buildCodePackage, type CodePackage } from "../../build/code-package.js";
import { megabytes } from "../../build/code-zip.js";
import type { AgentConfig } from "../../config/schema.js";
import type { Output } from "../../ui/output.js";

export interface CodeArtifact {
  artifact: RuntimeArtifact;
  bucket: string;
  key: string;
  /** This run created the bucket. */
  bucketCreated: boolean;
  /** This run uploaded the zip (false: the same content was already there). */
  uploaded: boolean;
  package: Pick<CodePackage, "sha256" | "files" | "runtime" | "entryPoint"> & { bytes: number };
}

export async function prepareCodeArtifact(
  scope: { agent: AgentConfig; projectDir: string; identity: CallerIdentity; region: string; env: NodeJS.ProcessEnv },
  aws: AwsClients,
  output: Output,
): Promise<CodeArtifact> {
  const { agent, identity, region } = scope;
  const pkg = await output.task(`Packaging ${agent.name}`, async (progress) => {
    const built = await buildCodePackage({ agent, projectDir: scope.projectDir, env: scope.env });
    progress(`${megabytes(built.bytes.byteLength)}, ${built.files} files, ${built.runtime}`);
    return built;
  });
  const s3 = await aws.s3();
  const bucket = codeBucketName(identity.account, region);
  const key = codeObjectKey(agent.name, pkg.sha256);
  const bucketCreated = await output.task(`Artifact bucket ${bucket}`, () => ensureCodeBucket(s3, bucket, region, identity.account));
  if (bucketCreated) output.success(`Created S3 bucket ${bucket} (public access blocked, artifacts expire after 30 days)`);
  let uploaded = false;
  if (!(await objectExists(s3, bucket, key, identity.account))) {
    await output.task(`Uploading s3://${bucket}/${key}`, () => putObject(s3, bucket, key, pkg.bytes, identity.account));
    uploaded = true;
  }
  return {
    artifact: { codeConfiguration: { code: { s3: { bucket, prefix: key } }, runtime: pkg.runtime, entryPoint: pkg.entryPoint } },
    bucket,
    key,
    bucketCreated,
    uploaded,
    package: { sha256: pkg.sha256, files: pkg.files, runtime: pkg.runtime, entryPoint: pkg.entryPoint, bytes: pkg.bytes.byteLength },
  };
}
