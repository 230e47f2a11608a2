/**
 * The S3 bucket for code-deployment zips: one per account and region, created when missing with
 * public access blocked, a managed tag (destroy only ever touches a tagged bucket) and a lifecycle
 * rule for old artifacts. Every call names the expected bucket owner, so a bucket of that name in
 * another account is never written to or read from.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { fromAwsError } from "../errors.js";
import { bucketExists, createBucketInput } from "./s3.js";
import { awsErrorName, awsHttpStatus, MANAGED_TAG_KEY } from "./sdk-errors.js";

/** Old zips expire: AgentCore reads the zip at create/update time (only the caller needs s3:GetObject: developer guide, runtime-code-deploy-common-issues); launch re-uploads a missing one. */
export const ARTIFACT_EXPIRY_DAYS = 30;

export function codeBucketName(account: string, region: string): string {
  return `bedrock-agentcore-code-${account}-${region}`;
}

/** `<agent>/<sha256>.zip`: the content hash names the object, so an unchanged package is never uploaded twice. */
export function codeObjectKey(agentName: string, sha256: string): string {
  return `${agentName}/${sha256}.zip`;
}

/** True when this run created the bucket. */
export async function ensureCodeBucket(s3: S3Client, bucket: string, region: string, account: string): Promise<boolean> {
  if (await bucketExists(s3, bucket, account)) return false;
  const sdk = await import("@aws-sdk/client-s3");
  try {
    await s3.send(new sdk.CreateBucketCommand({ ...createBucketInput(bucket, region), ObjectOwnership: "BucketOwnerEnforced" }));
  } catch (error) {
    if (awsErrorName(error) === "BucketAlreadyOwnedByYou") return false;
    throw fromAwsError(
      error,
      `Create S3 bucket ${bucket}`,
      "Your identity needs s3:CreateBucket, s3:PutBucketPublicAccessBlock, s3:PutLifecycleConfiguration and s3:PutBucketTagging.",
    );
  }
  try {
    await s3.send(
      new sdk.PutPublicAccessBlockCommand({
        Bucket: bucket,
        ExpectedBucketOwner: account,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    await s3.send(
      new sdk.PutBucketTaggingCommand({
        Bucket: bucket,
        ExpectedBucketOwner: account,
        Tagging: { TagSet: [{ Key: MANAGED_TAG_KEY, Value: "true" }] },
      }),
    );
    await s3.send(
      new sdk.PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        ExpectedBucketOwner: account,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: "expire-agentcore-code-artifacts",
              Status: "Enabled",
              Filter: { Prefix: "" },
              Expiration: { Days: ARTIFACT_EXPIRY_DAYS },
            },
          ],
        },
      }),
    );
  } catch (error) {
    throw fromAwsError(error, `Configure S3 bucket ${bucket}`);
  }
  return true;
}

/** Whether the object is there (a zip expired by the lifecycle rule is uploaded again). */
export async function objectExists(s3: S3Client, bucket: string, key: string, account: string): Promise<boolean> {
  const { HeadObjectCommand } = await import("@aws-sdk/client-s3");
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ExpectedBucketOwner: account }));
    return true;
  } catch (error) {
    if (awsHttpStatus(error) === 404 || awsErrorName(error) === "NotFound") return false;
    throw fromAwsError(error, `Check s3://${bucket}/${key}`);
  }
}

/** Deletes this agent's zips (its prefix) from the bucket; returns how many. */
export async function deleteAgentArtifacts(s3: S3Client, bucket: string, agentName: string, account: string): Promise<number> {
  const { ListObjectsV2Command, DeleteObjectCommand } = await import("@aws-sdk/client-s3");
  let deleted = 0;
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `${agentName}/`, ContinuationToken: token, ExpectedBucketOwner: account }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key, ExpectedBucketOwner: account }));
        deleted++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    if (awsErrorName(error) === "NoSuchBucket") return deleted;
    throw fromAwsError(error, `Delete the code artifacts of ${agentName} from s3://${bucket}`);
  }
  return deleted;
}

/** Whether the bucket carries agentcore-ts's managed tag (only such a bucket is ever emptied). */
export async function isManagedBucket(s3: S3Client, bucket: string, account: string): Promise<boolean | undefined> {
  const { GetBucketTaggingCommand } = await import("@aws-sdk/client-s3");
  try {
    const out = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    return (out.TagSet ?? []).some((t) => t.Key === MANAGED_TAG_KEY && t.Value === "true");
  } catch (error) {
    const name = awsErrorName(error);
    if (name === "NoSuchBucket") return undefined;
    if (name === "NoSuchTagSet") return false;
    throw fromAwsError(error, `Read the tags of S3 bucket ${bucket}`);
  }
}
