/**
 * All AWS fakes launch/status/destroy talk to, one loopback port each, sharing state the way the
 * real services do (CodeBuild reads the S3 source and pushes to ECR; the control plane checks the
 * IAM role). `env` points the SDK at them through its own AWS_ENDPOINT_URL_<SERVICE> variables.
 *
 *   const aws = await startAwsFakes();
 *   runCli(["launch"], { env: testEnv({ ...aws.env, AGENTCORE_TS_POLL_MS: "2" }) });
 *   expect(aws.rejections()).toEqual([]);
 *   await aws.close();
 */
import { type ControlOptions, FakeAgentCoreControl } from "./aws-agentcore-control.js";
import { FakeCloudWatchLogs } from "./aws-cloudwatch-logs.js";
import { FakeCodeBuild } from "./aws-codebuild.js";
import { FakeEcr } from "./aws-ecr.js";
import { FAKE_ACCOUNT, FakeIam, FakeSts } from "./aws-iam.js";
import { FakeS3 } from "./aws-s3.js";
import { type FakeAwsService, lastCallSeq, type RecordedCall, type Rejection } from "./aws-wire.js";

export interface AwsFakes {
  account: string;
  region: string;
  sts: FakeSts;
  iam: FakeIam;
  ecr: FakeEcr;
  s3: FakeS3;
  codebuild: FakeCodeBuild;
  control: FakeAgentCoreControl;
  logs: FakeCloudWatchLogs;
  /** AWS_ENDPOINT_URL_* for every faked service. */
  env: Record<string, string>;
  /** Requests some fake refused as malformed: a success test expects none. */
  rejections(): Rejection[];
  /** Every call to any fake, in order; with `since` (from mark()) only the later ones. */
  calls(since?: number): RecordedCall[];
  /** A marker for calls(since). */
  mark(): number;
  close(): Promise<void>;
}

export async function startAwsFakes(options: ControlOptions = {}): Promise<AwsFakes> {
  const region = options.region ?? "us-east-1";
  const account = options.account ?? FAKE_ACCOUNT;
  const sts = new FakeSts(account);
  const iam = new FakeIam(account);
  const ecr = new FakeEcr(region, account);
  const s3 = new FakeS3(region, account);
  const codebuild = new FakeCodeBuild({ s3, ecr, iam }, region, account);
  const control = new FakeAgentCoreControl(iam, { ...options, region, account });
  control.s3 = s3;
  const logs = new FakeCloudWatchLogs(region, account);
  const services: FakeAwsService[] = [sts, iam, ecr, s3, codebuild, control, logs];
  await Promise.all(services.map((s) => s.start()));
  return {
    account,
    region,
    sts,
    iam,
    ecr,
    s3,
    codebuild,
    control,
    logs,
    env: {
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL_IAM: iam.url,
      AWS_ENDPOINT_URL_ECR: ecr.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_CODEBUILD: codebuild.url,
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: control.url,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
    },
    rejections: () => services.flatMap((s) => s.rejections),
    calls: (since = 0) =>
      services
        .flatMap((s) => s.calls)
        .filter((c) => c.seq > since)
        .sort((a, b) => a.seq - b.seq),
    mark: lastCallSeq,
    close: async () => {
      await Promise.all(services.map((s) => s.close()));
    },
  };
}
