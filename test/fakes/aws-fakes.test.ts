/**
 * The fakes must refuse what the real services refuse, or the launch tests prove nothing. The real
 * SDK sends each malformed request; the fake answers with the service's error and records a rejection.
 */
import {
  type AuthorizingClaimMatchValueType,
  BedrockAgentCoreControlClient,
  CreateAgentRuntimeCommand,
  type CreateAgentRuntimeCommandInput,
  type CustomClaimValidationType,
  GetAgentRuntimeEndpointCommand,
  UpdateAgentRuntimeCommand,
} from "@aws-sdk/client-bedrock-agentcore-control";
import { CloudWatchLogsClient, StartLiveTailCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFakes, startAwsFakes } from "./aws-fakes.js";

let aws: AwsFakes;
let control: BedrockAgentCoreControlClient;
const common = { region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: "AKIATEST", secretAccessKey: "secret" } };

beforeAll(async () => {
  aws = await startAwsFakes();
  control = new BedrockAgentCoreControlClient({ ...common, endpoint: aws.control.url });
  aws.iam.seedRole("AgentRole");
});
afterAll(async () => {
  control?.destroy();
  await aws?.close();
});

const ROLE = "arn:aws:iam::123456789012:role/AgentRole";
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/bedrock-agentcore-x:abc";
const DISCOVERY = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc/.well-known/openid-configuration";

function valid(name: string): CreateAgentRuntimeCommandInput {
  return {
    agentRuntimeName: name,
    agentRuntimeArtifact: { containerConfiguration: { containerUri: IMAGE } },
    roleArn: ROLE,
    networkConfiguration: { networkMode: "PUBLIC" },
    protocolConfiguration: { serverProtocol: "HTTP" },
    authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: DISCOVERY, allowedClients: ["c1"] } },
  };
}

/** A valid custom claim (department == eng), with parts of its authorizingClaimMatchValue replaced. */
function claim(match: Partial<AuthorizingClaimMatchValueType> = {}): CustomClaimValidationType {
  return {
    inboundTokenClaimName: "department",
    inboundTokenClaimValueType: "STRING",
    authorizingClaimMatchValue: { claimMatchValue: { matchValueString: "eng" }, claimMatchOperator: "EQUALS", ...match },
  };
}

async function rejected(send: () => Promise<unknown>): Promise<{ name: string; message: string; fieldList?: unknown }> {
  const before = aws.rejections().length;
  const error = await send().then(
    () => undefined,
    (e: unknown) => e as { name: string; message: string; fieldList?: unknown },
  );
  expect(error, "the fake accepted a request the service refuses").toBeDefined();
  expect(aws.rejections().length).toBe(before + 1);
  return error!;
}

describe("AgentCore control fake", () => {
  // Deliberately malformed inputs: the casts get them past the SDK's types, as a bug in our code would.
  const broken: [string, (input: CreateAgentRuntimeCommandInput) => void, RegExp][] = [
    ["a name with a hyphen", (i) => (i.agentRuntimeName = "my-agent"), /agentRuntimeName/],
    [
      "a union with two members",
      (i) =>
        (i.agentRuntimeArtifact = {
          containerConfiguration: { containerUri: IMAGE },
          codeConfiguration: { code: { s3: { bucket: "bkt", prefix: "p" } }, runtime: "PYTHON_3_12", entryPoint: ["a.py"] },
        } as never),
      /exactly one member/,
    ],
    ["a clientToken of 32 characters", (i) => (i.clientToken = "a".repeat(32)), /clientToken/],
    ["no roleArn", (i) => delete (i as { roleArn?: string }).roleArn, /roleArn/],
    ["a user ARN as roleArn", (i) => (i.roleArn = "arn:aws:iam::123456789012:user/bob"), /roleArn/],
    [
      "a Docker Hub image",
      (i) => (i.agentRuntimeArtifact = { containerConfiguration: { containerUri: "docker.io/library/python:3.12" } }),
      /containerUri/,
    ],
    [
      "a discovery URL without /.well-known/openid-configuration",
      (i) => (i.authorizerConfiguration = { customJWTAuthorizer: { discoveryUrl: "https://issuer.example.com", allowedClients: ["c1"] } }),
      /discoveryUrl/,
    ],
    [
      "a JWT authorizer with no allowed list",
      (i) => (i.authorizerConfiguration = { customJWTAuthorizer: { discoveryUrl: DISCOVERY } }),
      /At least one of/,
    ],
    [
      "an empty allowedClients",
      (i) => (i.authorizerConfiguration = { customJWTAuthorizer: { discoveryUrl: DISCOVERY, allowedClients: [] } }),
      /allowedClients/,
    ],
    [
      "21 allowlisted headers",
      (i) => (i.requestHeaderConfiguration = { requestHeaderAllowlist: Array.from({ length: 21 }, (_, n) => `X-H${n}`) }),
      /requestHeaderAllowlist/,
    ],
    ["a header name with a space", (i) => (i.requestHeaderConfiguration = { requestHeaderAllowlist: ["X Bad"] }), /requestHeaderAllowlist/],
    [
      "51 environment variables",
      (i) => (i.environmentVariables = Object.fromEntries(Array.from({ length: 51 }, (_, n) => [`K${n}`, "v"]))),
      /environmentVariables/,
    ],
    [
      "an environment variable name of 101 characters",
      (i) => (i.environmentVariables = { ["K".repeat(101)]: "v" }),
      /environmentVariables/,
    ],
    ["an environment variable value of 5001 characters", (i) => (i.environmentVariables = { K: "v".repeat(5001) }), /environmentVariables/],
    ["a union with no member", (i) => (i.authorizerConfiguration = {} as never), /authorizerConfiguration.*exactly one member/],
    ["an empty header allowlist", (i) => (i.requestHeaderConfiguration = { requestHeaderAllowlist: [] }), /requestHeaderAllowlist/],
    ["a clientToken of 257 characters", (i) => (i.clientToken = "a".repeat(257)), /clientToken/],
    ["no agentRuntimeName", (i) => delete (i as { agentRuntimeName?: string }).agentRuntimeName, /agentRuntimeName.*must not be null/],
    [
      "no agentRuntimeArtifact",
      (i) => delete (i as { agentRuntimeArtifact?: unknown }).agentRuntimeArtifact,
      /agentRuntimeArtifact.*must not be null/,
    ],
    ["no containerUri", (i) => (i.agentRuntimeArtifact = { containerConfiguration: {} } as never), /containerUri.*must not be null/],
    [
      "no discoveryUrl",
      (i) => (i.authorizerConfiguration = { customJWTAuthorizer: { allowedClients: ["c1"] } } as never),
      /discoveryUrl.*must not be null/,
    ],
    ["no serverProtocol", (i) => (i.protocolConfiguration = {} as never), /serverProtocol/],
    [
      "a custom claim whose claimMatchValue union has two members",
      (i) =>
        (i.authorizerConfiguration = {
          customJWTAuthorizer: {
            discoveryUrl: DISCOVERY,
            customClaims: [claim({ claimMatchValue: { matchValueString: "eng", matchValueStringList: ["eng"] } as never })],
          },
        }),
      /claimMatchValue.*exactly one member/,
    ],
    [
      "a custom claim name outside the pattern",
      (i) =>
        (i.authorizerConfiguration = {
          customJWTAuthorizer: { discoveryUrl: DISCOVERY, customClaims: [{ ...claim(), inboundTokenClaimName: "dept name" }] },
        }),
      /inboundTokenClaimName/,
    ],
    [
      "a STRING custom claim compared with CONTAINS",
      (i) =>
        (i.authorizerConfiguration = {
          customJWTAuthorizer: { discoveryUrl: DISCOVERY, customClaims: [claim({ claimMatchOperator: "CONTAINS" })] },
        }),
      /CONTAINS cannot be used with inboundTokenClaimValueType STRING/,
    ],
  ];
  it.each(broken)("refuses %s", async (_label, mutate, field) => {
    const input = valid("refused_agent");
    mutate(input);
    const error = await rejected(() => control.send(new CreateAgentRuntimeCommand(input)));
    expect(error.name).toBe("ValidationException");
    expect(`${error.message} ${JSON.stringify(error.fieldList ?? "")}`).toMatch(field);
  });

  it("accepts a valid Create (202, string version), replaces the whole configuration on Update, and serves the DEFAULT endpoint", async () => {
    const before = aws.rejections().length;
    const created = await control.send(new CreateAgentRuntimeCommand(valid("fake_check_agent")));
    expect(created).toMatchObject({ agentRuntimeVersion: "1", status: "CREATING" });
    expect(created.$metadata.httpStatusCode).toBe(202);
    // Each Get is one observation; the runtime settles after a few.
    let endpoint = await control.send(
      new GetAgentRuntimeEndpointCommand({ agentRuntimeId: created.agentRuntimeId, endpointName: "DEFAULT" }),
    );
    for (let i = 0; i < 5 && endpoint.status !== "READY"; i++) {
      endpoint = await control.send(
        new GetAgentRuntimeEndpointCommand({ agentRuntimeId: created.agentRuntimeId, endpointName: "DEFAULT" }),
      );
    }
    expect(endpoint).toMatchObject({ status: "READY", liveVersion: "1", name: "DEFAULT" });
    expect(endpoint.createdAt).toBeInstanceOf(Date);
    const { authorizerConfiguration: _dropped, agentRuntimeName: _name, ...withoutAuthorizer } = valid("x");
    const updated = await control.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: created.agentRuntimeId, ...withoutAuthorizer }));
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect(updated.agentRuntimeVersion).toBe("2");
    expect(aws.control.runtimes.get(created.agentRuntimeId!)!.configuration).not.toHaveProperty("authorizerConfiguration");
    // Right after an update the endpoint still serves version 1.
    const during = await control.send(
      new GetAgentRuntimeEndpointCommand({ agentRuntimeId: created.agentRuntimeId, endpointName: "DEFAULT" }),
    );
    expect(during).toMatchObject({ status: "READY", liveVersion: "1", targetVersion: "2" });
    expect(aws.rejections().length).toBe(before);
  });

  it("accepts valid custom claims (STRING with EQUALS, STRING_ARRAY with CONTAINS_ANY)", async () => {
    const before = aws.rejections().length;
    const input = valid("claims_agent");
    input.authorizerConfiguration = {
      customJWTAuthorizer: {
        discoveryUrl: DISCOVERY,
        customClaims: [
          claim(),
          {
            inboundTokenClaimName: "cognito:groups",
            inboundTokenClaimValueType: "STRING_ARRAY",
            authorizingClaimMatchValue: {
              claimMatchValue: { matchValueStringList: ["admins", "ops"] },
              claimMatchOperator: "CONTAINS_ANY",
            },
          },
        ],
      },
    };
    await control.send(new CreateAgentRuntimeCommand(input));
    expect(aws.rejections().length).toBe(before);
  });

  it("Update goes through the same checks, and must repeat networkConfiguration (a full PUT)", async () => {
    const created = await control.send(new CreateAgentRuntimeCommand(valid("update_checks_agent")));
    const { agentRuntimeName: _name, ...configuration } = valid("x");
    const badUnion = await rejected(() =>
      control.send(
        new UpdateAgentRuntimeCommand({
          agentRuntimeId: created.agentRuntimeId,
          ...configuration,
          requestHeaderConfiguration: { requestHeaderAllowlist: ["X Bad"] },
        }),
      ),
    );
    expect(badUnion.name).toBe("ValidationException");
    const { networkConfiguration: _net, ...withoutNetwork } = configuration;
    const noNetwork = await rejected(() =>
      control.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: created.agentRuntimeId, ...withoutNetwork })),
    );
    expect(noNetwork.message).toMatch(/networkConfiguration/);
  });

  it("a second Create with the same name is a ConflictException (state, not a rejection)", async () => {
    const before = aws.rejections().length;
    await control.send(new CreateAgentRuntimeCommand(valid("twice_agent")));
    const error = await control.send(new CreateAgentRuntimeCommand(valid("twice_agent"))).catch((e: Error) => e);
    expect((error as Error).name).toBe("ConflictException");
    expect(aws.rejections().length).toBe(before);
  });

  it("refuses a request signed for another service", async () => {
    const misdirected = new BedrockAgentCoreControlClient({ ...common, endpoint: aws.iam.url });
    await rejected(() => misdirected.send(new CreateAgentRuntimeCommand(valid("signed_agent"))));
    expect(aws.iam.rejections.at(-1)).toMatchObject({
      service: "iam",
      type: "InvalidSignatureException",
      message: expect.stringMatching(/scoped to correct service: 'iam', not 'bedrock-agentcore'/),
    });
    misdirected.destroy();
  });
});

describe("IAM and ECR fakes", () => {
  const iam = () => new IAMClient({ ...common, endpoint: aws.iam.url });

  it("IAM refuses a malformed or oversized policy, and a role name outside the pattern", async () => {
    const client = iam();
    await client.send(
      new CreateRoleCommand({
        RoleName: "PolicyCheckRole",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    const withPrincipal = await rejected(() =>
      client.send(
        new PutRolePolicyCommand({
          RoleName: "PolicyCheckRole",
          PolicyName: "p",
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }],
          }),
        }),
      ),
    );
    expect(withPrincipal.name).toBe("MalformedPolicyDocumentException");
    const noResource = await rejected(() =>
      client.send(
        new PutRolePolicyCommand({
          RoleName: "PolicyCheckRole",
          PolicyName: "p",
          PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*" }] }),
        }),
      ),
    );
    expect(noResource.message).toMatch(/must contain resources/);
    const huge = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:GetObject", Resource: Array.from({ length: 400 }, (_, n) => `arn:aws:s3:::bucket-${n}/*`) },
      ],
    };
    const tooBig = await rejected(() =>
      client.send(new PutRolePolicyCommand({ RoleName: "PolicyCheckRole", PolicyName: "p", PolicyDocument: JSON.stringify(huge) })),
    );
    expect(tooBig.message).toMatch(/Maximum policy size of 10240 bytes/);
    await rejected(() => client.send(new CreateRoleCommand({ RoleName: "bad name!", AssumeRolePolicyDocument: "{}" })));
    client.destroy();
  });

  it("IAM refuses to delete a role that still has inline policies (DeleteConflict)", async () => {
    const client = iam();
    aws.iam.seedRole("BusyRole", {
      policies: { p: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) },
    });
    const error = await client.send(new DeleteRoleCommand({ RoleName: "BusyRole" })).catch((e: Error) => e);
    expect((error as Error).name).toBe("DeleteConflictException");
    client.destroy();
  });

  it("ECR refuses a repository name outside the pattern", async () => {
    const ecr = new ECRClient({ ...common, endpoint: aws.ecr.url });
    const error = await rejected(() => ecr.send(new CreateRepositoryCommand({ repositoryName: "Bad_Name" })));
    expect(error.name).toBe("InvalidParameterException");
    ecr.destroy();
  });
});

describe("CloudWatch Logs fake: StartLiveTail", () => {
  it("takes log groups by ARN of its account and region, and streams sessionStart then sessionUpdates over the SDK's event-stream decoding", async () => {
    // disableHostPrefix: the SDK would call stream-127.0.0.1 (StartLiveTail's `stream-` host prefix).
    const logs = new CloudWatchLogsClient({ ...common, endpoint: aws.logs.url, disableHostPrefix: true });
    const group = "/aws/bedrock-agentcore/runtimes/fake_tail-Abc-DEFAULT";
    const arn = `arn:aws:logs:us-east-1:${aws.account}:log-group:${group}`;
    try {
      const byName = await rejected(() => logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [group] })));
      expect(byName.name).toBe("InvalidParameterException");
      const otherRegion = await rejected(() =>
        logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [arn.replace("us-east-1", "eu-west-1")] })),
      );
      expect(otherRegion.name).toBe("InvalidParameterException");
      await expect(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [arn] }))).rejects.toMatchObject({
        name: "ResourceNotFoundException",
      });

      aws.logs.putEvents(group, "s", [{ timestamp: 1, message: "before the session" }]);
      aws.logs.liveTailUpdateMs = 10;
      const stop = new AbortController();
      const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [arn] }), { abortSignal: stop.signal });
      const seen: unknown[] = [];
      aws.logs.putEvents(group, "s", [{ timestamp: 2, message: "live" }]);
      await expect(
        (async () => {
          for await (const event of out.responseStream!) {
            seen.push(event);
            if (event.sessionUpdate?.sessionResults?.length) stop.abort();
          }
        })(),
      ).rejects.toThrow();
      expect(seen[0]).toMatchObject({ sessionStart: { logGroupIdentifiers: [arn] } });
      expect(seen.at(-1)).toMatchObject({
        sessionUpdate: { sessionResults: [{ logStreamName: "s", logGroupIdentifier: arn, message: "live", timestamp: 2 }] },
      });
    } finally {
      aws.logs.liveTailUpdateMs = 1_000;
      logs.destroy();
    }
  });
});
