/**
 * The one AWS client factory: region, profile, user agent and retries in one place. SDK packages
 * are imported lazily, inside the method that needs them, so `--help` and `configure` never load
 * the SDK. Endpoint overrides need no code here: the SDK itself honours AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) for every client.
 */
import type { BedrockAgentCoreClient } from "@aws-sdk/client-bedrock-agentcore";
import type { BedrockAgentCoreControlClient } from "@aws-sdk/client-bedrock-agentcore-control";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { CodeBuildClient } from "@aws-sdk/client-codebuild";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { S3Client } from "@aws-sdk/client-s3";
import type { STSClient } from "@aws-sdk/client-sts";
import { UsageError } from "../errors.js";

export const USER_AGENT = "agentcore-ts/0.1.0";

export interface AwsSettings {
  region?: string;
  profile?: string;
  /** Explicit endpoint for one client (e.g. the embedded Cognito); otherwise the SDK's own env overrides apply. */
  endpoint?: string;
  maxAttempts?: number;
}

export interface BaseClientConfig {
  region: string;
  profile?: string;
  endpoint?: string;
  customUserAgent: string;
  maxAttempts: number;
}

export class AwsClients {
  constructor(private readonly settings: AwsSettings) {}

  get region(): string | undefined {
    return this.settings.region;
  }

  get profile(): string | undefined {
    return this.settings.profile;
  }

  /** The same factory with some settings changed (e.g. another region or an explicit endpoint). */
  with(overrides: AwsSettings): AwsClients {
    return new AwsClients({ ...this.settings, ...overrides });
  }

  /** Shared client configuration; fails with a usage error when no region is known. */
  config(): BaseClientConfig {
    const region = this.settings.region;
    if (!region) {
      throw new UsageError("No AWS region is set.", {
        hint: "Pass --region, set AWS_REGION, or set a region in your AWS profile.",
        code: "NoRegion",
      });
    }
    return {
      region,
      ...(this.settings.profile ? { profile: this.settings.profile } : {}),
      ...(this.settings.endpoint ? { endpoint: this.settings.endpoint } : {}),
      customUserAgent: USER_AGENT,
      maxAttempts: this.settings.maxAttempts ?? 3,
    };
  }

  async cognito(): Promise<CognitoIdentityProviderClient> {
    const { CognitoIdentityProviderClient } = await import("@aws-sdk/client-cognito-identity-provider");
    return new CognitoIdentityProviderClient(this.config());
  }

  async sts(): Promise<STSClient> {
    const { STSClient } = await import("@aws-sdk/client-sts");
    return new STSClient(this.config());
  }

  async iam(): Promise<IAMClient> {
    const { IAMClient } = await import("@aws-sdk/client-iam");
    return new IAMClient(this.config());
  }

  async ecr(): Promise<ECRClient> {
    const { ECRClient } = await import("@aws-sdk/client-ecr");
    return new ECRClient(this.config());
  }

  async codebuild(): Promise<CodeBuildClient> {
    const { CodeBuildClient } = await import("@aws-sdk/client-codebuild");
    return new CodeBuildClient(this.config());
  }

  async logs(): Promise<CloudWatchLogsClient> {
    const { CloudWatchLogsClient } = await import("@aws-sdk/client-cloudwatch-logs");
    // StartLiveTail's endpoint has a `stream-` host prefix (the SDK prepends it: stream-logs.<region>.amazonaws.com).
    // An overridden endpoint (explicit or AWS_ENDPOINT_URL[_CLOUDWATCH_LOGS]) names the exact host to call, where
    // the prefix would make a name that does not resolve (stream-127.0.0.1).
    const overridden = Boolean(this.settings.endpoint) || serviceEndpoint("CLOUDWATCH_LOGS", "") !== "";
    return new CloudWatchLogsClient({ ...this.config(), ...(overridden ? { disableHostPrefix: true } : {}) });
  }

  async s3(): Promise<S3Client> {
    const { S3Client } = await import("@aws-sdk/client-s3");
    // Path-style keeps loopback S3 fakes (s3rver) working; real S3 accepts it too.
    return new S3Client({ ...this.config(), forcePathStyle: true });
  }

  async control(): Promise<BedrockAgentCoreControlClient> {
    const { BedrockAgentCoreControlClient } = await import("@aws-sdk/client-bedrock-agentcore-control");
    return new BedrockAgentCoreControlClient(this.config());
  }

  async data(): Promise<BedrockAgentCoreClient> {
    const { BedrockAgentCoreClient } = await import("@aws-sdk/client-bedrock-agentcore");
    return new BedrockAgentCoreClient(this.config());
  }
}

/**
 * The base URL the SDK would use for a service, honouring AWS_ENDPOINT_URL_<SERVICE> then
 * AWS_ENDPOINT_URL, for calls we make with fetch (the bearer-token invoke).
 */
export function serviceEndpoint(serviceEnvId: string, defaultUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true") return defaultUrl;
  const specific = env[`AWS_ENDPOINT_URL_${serviceEnvId}`];
  if (specific && specific.trim() !== "") return specific.trim().replace(/\/+$/, "");
  const generic = env.AWS_ENDPOINT_URL;
  if (generic && generic.trim() !== "") return generic.trim().replace(/\/+$/, "");
  return defaultUrl;
}
