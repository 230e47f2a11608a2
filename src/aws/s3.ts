/** S3 for CodeBuild sources: one bucket per account and region, objects expire after a week. */
import type { BucketLocationConstraint, CreateBucketCommandInput, S3Client } from "@aws-sdk/client-s3";
import { fromAwsError } from "../errors.js";
import { awsErrorName, awsHttpStatus } from "./sdk-errors.js";

export function sourceBucketName(account: string, region: string): string {
  return `bedrock-agentcore-codebuild-sources-${account}-${region}`;
}

/**
 * Whether `bucket` exists and belongs to `account` (HeadBucket with ExpectedBucketOwner). Missing: false;
 * another account's bucket or no permission: the service's error with a hint.
 */
export async function bucketExists(s3: S3Client, bucket: string, account: string): Promise<boolean> {
  const { HeadBucketCommand } = await import("@aws-sdk/client-s3");
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    return true;
  } catch (error) {
    const name = awsErrorName(error);
    const status = awsHttpStatus(error);
    if (name === "NotFound" || name === "NoSuchBucket" || status === 404) return false;
    throw fromAwsError(
      error,
      `Check S3 bucket ${bucket}`,
      status === 403 ? "The bucket exists but belongs to another account, or you lack s3:ListBucket on it." : undefined,
    );
  }
}

/** CreateBucket's input for `bucket` in `region`: us-east-1 is the one region that refuses an explicit LocationConstraint. */
export function createBucketInput(bucket: string, region: string): CreateBucketCommandInput {
  return {
    Bucket: bucket,
    ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
  };
}

/** Creates the bucket when missing (with a 7-day expiry: the zips are only needed during a build). */
export async function ensureSourceBucket(s3: S3Client, bucket: string, region: string, account: string): Promise<boolean> {
  if (await bucketExists(s3, bucket, account)) return false;
  const sdk = await import("@aws-sdk/client-s3");
  try {
    await s3.send(new sdk.CreateBucketCommand(createBucketInput(bucket, region)));
    await s3.send(
      new sdk.PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        ExpectedBucketOwner: account,
        LifecycleConfiguration: {
          Rules: [{ ID: "expire-agentcore-sources", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 7 } }],
        },
      }),
    );
  } catch (error) {
    if (awsErrorName(error) === "BucketAlreadyOwnedByYou") return false;
    throw fromAwsError(error, `Create S3 bucket ${bucket}`);
  }
  return true;
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: Uint8Array, account: string): Promise<void> {
  const { PutObjectCommand } = await import("@aws-sdk/client-s3");
  try {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/zip", ExpectedBucketOwner: account }),
    );
  } catch (error) {
    throw fromAwsError(error, `Upload s3://${bucket}/${key}`);
  }
}
