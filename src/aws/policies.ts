/**
 * IAM policy documents for the roles launch creates, modelled on the starter toolkit's execution role
 * (https://github.com/aws/bedrock-agentcore-starter-toolkit) and AWS's runtime permissions page
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-permissions.html), minus the features agentcore-ts does not deploy (memory,
 * code interpreter, marketplace); A2A agents get the toolkit's InvokeAgentRuntime statement.
 */
import type { ServerProtocol } from "../config/protocols.js";

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface Scope {
  partition: string;
  region: string;
  account: string;
}

/** Trust for AgentCore Runtime, limited to this account and its runtimes in this region. */
export function runtimeTrustPolicy({ partition, region, account }: Scope): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeRolePolicy",
        Effect: "Allow",
        Principal: { Service: "bedrock-agentcore.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": account },
          ArnLike: { "aws:SourceArn": `arn:${partition}:bedrock-agentcore:${region}:${account}:*` },
        },
      },
    ],
  };
}

/** ECR repository ARN from an image URI in a private registry (undefined for public.ecr.aws). */
export function repositoryArnOfImage(imageUri: string, partition: string): string | undefined {
  const match = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(imageUri);
  if (!match) return undefined;
  return `arn:${partition}:ecr:${match[2]}:${match[1]}:repository/${match[3]}`;
}

/**
 * What the runtime's containers may do: pull their image, write logs, traces and metrics, invoke
 * Bedrock models and obtain workload identity tokens (for outbound OAuth / API keys).
 */
export function runtimeExecutionPolicy(scope: Scope & { agentName: string; imageUri: string; protocol?: ServerProtocol }): PolicyDocument {
  const { partition: p, region, account, agentName } = scope;
  const logGroups = `arn:${p}:logs:${region}:${account}:log-group:/aws/bedrock-agentcore/runtimes/*`;
  const repositoryArn = repositoryArnOfImage(scope.imageUri, p);
  const statements: PolicyStatement[] = [];
  if (repositoryArn) {
    statements.push(
      { Sid: "ECRImageAccess", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: repositoryArn },
      { Sid: "ECRTokenAccess", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    );
  }
  statements.push(
    { Sid: "LogsGroup", Effect: "Allow", Action: ["logs:DescribeLogStreams", "logs:CreateLogGroup"], Resource: logGroups },
    { Sid: "LogsDescribe", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: `arn:${p}:logs:${region}:${account}:log-group:*` },
    { Sid: "LogsWrite", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroups}:log-stream:*` },
    {
      // Vended log delivery (AgentCore observability), as the starter toolkit's role has.
      Sid: "LogsDelivery",
      Effect: "Allow",
      Action: [
        "logs:CreateLogGroup",
        "logs:PutDeliverySource",
        "logs:PutDeliveryDestination",
        "logs:CreateDelivery",
        "logs:GetDeliverySource",
        "logs:DeleteDeliverySource",
        "logs:DeleteDeliveryDestination",
      ],
      Resource: "*",
    },
    {
      Sid: "XRay",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      Resource: "*",
    },
    {
      Sid: "Metrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": "bedrock-agentcore" } },
    },
    {
      Sid: "BedrockModelInvocation",
      Effect: "Allow",
      // ApplyGuardrail as in the toolkit's role: Converse calls with a guardrail need it.
      Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:ApplyGuardrail"],
      // Cross-region inference profiles route to foundation models in other regions.
      Resource: [`arn:${p}:bedrock:*::foundation-model/*`, `arn:${p}:bedrock:${region}:${account}:*`],
    },
    {
      Sid: "WorkloadIdentityTokens",
      Effect: "Allow",
      Action: [
        "bedrock-agentcore:GetWorkloadAccessToken",
        "bedrock-agentcore:GetWorkloadAccessTokenForJWT",
        "bedrock-agentcore:GetWorkloadAccessTokenForUserId",
      ],
      Resource: [
        `arn:${p}:bedrock-agentcore:${region}:${account}:workload-identity-directory/default`,
        `arn:${p}:bedrock-agentcore:${region}:${account}:workload-identity-directory/default/workload-identity/${agentName}-*`,
      ],
    },
  );
  if (scope.protocol === "A2A") {
    // An A2A agent calls other agents on the runtime: the starter toolkit's execution role template
    // (bedrock_agentcore_starter_toolkit/utils/runtime/templates/execution_role_policy.json.j2) grants
    // these two actions on runtime/* to A2A agents; the second is needed when a user id is sent.
    statements.push({
      Sid: "A2AInvokeAgentRuntimes",
      Effect: "Allow",
      Action: ["bedrock-agentcore:InvokeAgentRuntime", "bedrock-agentcore:InvokeAgentRuntimeForUser"],
      Resource: `arn:${p}:bedrock-agentcore:${region}:${account}:runtime/*`,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust for CodeBuild, limited to this account. */
export function codebuildTrustPolicy({ account }: Scope): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
    ],
  };
}

/** What the image build may do: read its source zip, push to its repository, write its logs. */
export function codebuildPolicy(scope: Scope & { repositoryArn: string; bucket: string; projectName: string }): PolicyDocument {
  const { partition: p, region, account } = scope;
  const logGroup = `arn:${p}:logs:${region}:${account}:log-group:/aws/codebuild/${scope.projectName}`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ECRToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "ECRPush",
        Effect: "Allow",
        Action: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:PutImage",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
        ],
        Resource: scope.repositoryArn,
      },
      {
        Sid: "Logs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [logGroup, `${logGroup}:*`],
      },
      {
        Sid: "SourceObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: `arn:${p}:s3:::${scope.bucket}/*`,
        Condition: { StringEquals: { "s3:ResourceAccount": account } },
      },
      {
        Sid: "SourceBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
        Resource: `arn:${p}:s3:::${scope.bucket}`,
        Condition: { StringEquals: { "s3:ResourceAccount": account } },
      },
    ],
  };
}
