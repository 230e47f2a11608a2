/**
 * A tiny wire-level S3 fake (REST-XML, path-style): HeadBucket, CreateBucket (with S3's rule that
 * only us-east-1 omits the LocationConstraint), PutBucketLifecycleConfiguration, PutPublicAccessBlock,
 * PutBucketTagging, PutObject, HeadObject, GetObject, ListObjectsV2 and DeleteObject, with the
 * bucket name rule and x-amz-expected-bucket-owner. Objects are kept for the test to inspect.
 */
import { FAKE_ACCOUNT } from "./aws-iam.js";
import { FakeAwsError, FakeAwsService, invalid, type WireRequest, type WireResponse } from "./aws-wire.js";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface FakeBucket {
  name: string;
  lifecycle?: string;
  publicAccessBlock?: string;
  tagging?: string;
  objects: Map<string, Buffer>;
}

export class FakeS3 extends FakeAwsService {
  readonly buckets = new Map<string, FakeBucket>();

  constructor(
    readonly region = "us-east-1",
    readonly account = FAKE_ACCOUNT,
  ) {
    super("s3", "s3", region);
  }

  object(bucket: string, key: string): Buffer | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  protected handle(request: WireRequest): WireResponse {
    const [, bucketName = "", ...keyParts] = request.path.split("/");
    const key = keyParts.map(decodeURIComponent).join("/");
    const query = [...request.query.keys()].filter((k) => k !== "x-id");
    const operation =
      request.method === "HEAD" && !key
        ? "HeadBucket"
        : request.method === "PUT" && !key && query.includes("lifecycle")
          ? "PutBucketLifecycleConfiguration"
          : request.method === "PUT" && !key && query.includes("publicAccessBlock")
            ? "PutPublicAccessBlock"
            : request.method === "PUT" && !key && query.includes("tagging")
              ? "PutBucketTagging"
              : request.method === "GET" && !key && query.includes("tagging")
                ? "GetBucketTagging"
                : request.method === "GET" && !key && request.query.get("list-type") === "2"
                  ? "ListObjectsV2"
                  : request.method === "HEAD" && key
                    ? "HeadObject"
                    : request.method === "DELETE" && key
                      ? "DeleteObject"
                      : request.method === "PUT" && !key
                        ? "CreateBucket"
                        : request.method === "PUT"
                          ? "PutObject"
                          : request.method === "GET" && key
                            ? "GetObject"
                            : `${request.method} ${request.path}`;
    this.current = {
      operation,
      input: {
        bucket: bucketName,
        key,
        body: operation === "PutObject" ? request.body.length : request.body.toString("utf8"),
        owner: request.headers["x-amz-expected-bucket-owner"],
      },
    };
    const owner = request.headers["x-amz-expected-bucket-owner"];
    if (owner !== undefined && owner !== this.account && this.buckets.has(bucketName))
      throw new FakeAwsError(403, "AccessDenied", "Access Denied");
    const bucket = this.buckets.get(bucketName);
    switch (operation) {
      case "HeadBucket":
        if (!bucket) throw new FakeAwsError(404, "NotFound", "");
        return { status: 200, headers: { "x-amz-bucket-region": this.region } };
      case "CreateBucket": {
        if (!BUCKET_NAME.test(bucketName) || bucketName.includes(".."))
          throw invalid("InvalidBucketName", "The specified bucket is not valid.");
        const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(request.body.toString("utf8"))?.[1];
        if (this.region === "us-east-1" ? constraint !== undefined && constraint !== "" : constraint !== this.region) {
          throw invalid(
            "IllegalLocationConstraintException",
            `The ${constraint ?? "unspecified"} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          );
        }
        if (bucket)
          throw new FakeAwsError(
            409,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
          );
        this.buckets.set(bucketName, { name: bucketName, objects: new Map() });
        return { status: 200, headers: { location: `/${bucketName}` } };
      }
      case "PutBucketLifecycleConfiguration": {
        if (!bucket) throw new FakeAwsError(404, "NoSuchBucket", "The specified bucket does not exist");
        const xml = request.body.toString("utf8");
        if (!/<Rule>.*<Status>(Enabled|Disabled)<\/Status>.*<\/Rule>/s.test(xml) || !/<Filter>|<Prefix>/.test(xml))
          throw invalid("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
        bucket.lifecycle = xml;
        return { status: 200 };
      }
      case "PutPublicAccessBlock": {
        if (!bucket) throw new FakeAwsError(404, "NoSuchBucket", "The specified bucket does not exist");
        const xml = request.body.toString("utf8");
        for (const flag of ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"])
          if (!new RegExp(`<${flag}>(true|false)</${flag}>`).test(xml)) throw invalid("MalformedXML", `missing ${flag}`);
        bucket.publicAccessBlock = xml;
        return { status: 200 };
      }
      case "PutBucketTagging": {
        if (!bucket) throw new FakeAwsError(404, "NoSuchBucket", "The specified bucket does not exist");
        const xml = request.body.toString("utf8");
        if (!/<Tagging[^>]*>.*<TagSet>.*<Tag><Key>[^<]+<\/Key><Value>[^<]*<\/Value><\/Tag>.*<\/TagSet>.*<\/Tagging>/s.test(xml))
          throw invalid("MalformedXML", "The XML you provided was not well-formed");
        bucket.tagging = xml;
        return { status: 204 };
      }
      case "GetBucketTagging":
        if (!bucket) throw new FakeAwsError(404, "NoSuchBucket", "The specified bucket does not exist");
        if (!bucket.tagging) throw new FakeAwsError(404, "NoSuchTagSet", "The TagSet does not exist");
        return { status: 200, headers: { "content-type": "application/xml" }, body: bucket.tagging };
      case "HeadObject":
        if (!bucket?.objects.has(key)) throw new FakeAwsError(404, "NotFound", "");
        return { status: 200, headers: { "content-length": String(bucket.objects.get(key)!.length) } };
      case "DeleteObject":
        if (!bucket) throw new FakeAwsError(404, "NoSuchBucket", "The specified bucket does not exist");
        bucket.objects.delete(key);
        return { status: 204 };
      case "ListObjectsV2": {
        if (!bucket) throw new FakeAwsError(404, "NoSuchBucket", "The specified bucket does not exist");
        const prefix = request.query.get("prefix") ?? "";
        const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
        const contents = keys.map((k) => `<Contents><Key>${k}</Key><Size>${bucket.objects.get(k)!.length}</Size></Contents>`).join("");
        return {
          status: 200,
          headers: { "content-type": "application/xml" },
          body: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucketName}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
        };
      }
      case "PutObject":
        if (!bucket) throw new FakeAwsError(404, "NoSuchBucket", "The specified bucket does not exist");
        if (!key || key.length > 1024) throw invalid("KeyTooLongError", "Your key is too long");
        bucket.objects.set(key, request.body);
        return { status: 200, headers: { etag: `"${request.body.length.toString(16)}"` } };
      case "GetObject": {
        const body = bucket?.objects.get(key);
        if (!body) throw new FakeAwsError(404, "NoSuchKey", "The specified key does not exist.");
        return { status: 200, body };
      }
      default:
        throw invalid("NotImplemented", `fake S3 does not implement ${operation}`, 501);
    }
  }

  protected errorResponse(error: FakeAwsError): WireResponse {
    if (this.current.operation === "HeadBucket" || this.current.operation === "HeadObject") return { status: error.status };
    return {
      status: error.status,
      headers: { "content-type": "application/xml" },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.type}</Code><Message>${error.message}</Message><RequestId>fake</RequestId></Error>`,
    };
  }
}
