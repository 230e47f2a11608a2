/**
 * Every client of the AwsClients factory honours the SDK's endpoint overrides: AWS_ENDPOINT_URL_<SERVICE>
 * for its own service, else AWS_ENDPOINT_URL. A loopback server records what arrives; the service is
 * read from the SigV4 credential scope. The answers are errors (400), so calls fail fast without retries:
 * only the arrival matters here.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AwsClients, serviceEndpoint } from "../../src/aws/clients.js";

interface Arrival {
  server: string;
  signingService: string;
  path: string;
}

const arrivals: Arrival[] = [];
const servers: Server[] = [];

async function recorder(name: string): Promise<string> {
  const server = createServer((req, res) => {
    const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? "");
    arrivals.push({ server: name, signingService: scope?.[1] ?? "?", path: req.url ?? "" });
    req.resume();
    res.statusCode = 400;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ __type: "ValidationException", message: "recorded" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let specificUrl: string;
let genericUrl: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  specificUrl = await recorder("specific");
  genericUrl = await recorder("generic");
});

afterEach(() => {
  arrivals.length = 0;
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_ENDPOINT_URL")) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

// One cheap call per factory method, with the env id of its service and the name it signs with.
const calls: { method: string; envId: string; signingService: string; call: (aws: AwsClients) => Promise<unknown> }[] = [
  {
    method: "sts",
    envId: "STS",
    signingService: "sts",
    call: async (aws) => (await aws.sts()).send(new (await import("@aws-sdk/client-sts")).GetCallerIdentityCommand({})),
  },
  {
    method: "cognito",
    envId: "COGNITO_IDENTITY_PROVIDER",
    signingService: "cognito-idp",
    call: async (aws) =>
      (await aws.cognito()).send(new (await import("@aws-sdk/client-cognito-identity-provider")).ListUserPoolsCommand({ MaxResults: 1 })),
  },
  {
    method: "iam",
    envId: "IAM",
    signingService: "iam",
    call: async (aws) => (await aws.iam()).send(new (await import("@aws-sdk/client-iam")).ListRolesCommand({})),
  },
  {
    method: "ecr",
    envId: "ECR",
    signingService: "ecr",
    call: async (aws) => (await aws.ecr()).send(new (await import("@aws-sdk/client-ecr")).DescribeRepositoriesCommand({})),
  },
  {
    method: "codebuild",
    envId: "CODEBUILD",
    signingService: "codebuild",
    call: async (aws) => (await aws.codebuild()).send(new (await import("@aws-sdk/client-codebuild")).ListProjectsCommand({})),
  },
  {
    method: "s3",
    envId: "S3",
    signingService: "s3",
    call: async (aws) => (await aws.s3()).send(new (await import("@aws-sdk/client-s3")).ListBucketsCommand({})),
  },
  {
    method: "control",
    envId: "BEDROCK_AGENTCORE_CONTROL",
    signingService: "bedrock-agentcore",
    call: async (aws) =>
      (await aws.control()).send(new (await import("@aws-sdk/client-bedrock-agentcore-control")).ListAgentRuntimesCommand({})),
  },
  {
    method: "data",
    envId: "BEDROCK_AGENTCORE",
    signingService: "bedrock-agentcore",
    call: async (aws) =>
      (await aws.data()).send(
        new (await import("@aws-sdk/client-bedrock-agentcore")).InvokeAgentRuntimeCommand({
          agentRuntimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-AbCdEf1234",
          payload: new TextEncoder().encode("{}"),
        }),
      ),
  },
];

const aws = new AwsClients({ region: "us-east-1", maxAttempts: 1 });

describe("AwsClients endpoint overrides", () => {
  it.each(calls)("$method: AWS_ENDPOINT_URL_$envId wins over AWS_ENDPOINT_URL", async ({ envId, signingService, call }) => {
    process.env.AWS_ENDPOINT_URL = genericUrl;
    process.env[`AWS_ENDPOINT_URL_${envId}`] = specificUrl;
    await expect(call(aws)).rejects.toThrow();
    expect(arrivals).toEqual([expect.objectContaining({ server: "specific", signingService })]);
  });

  it("without a service-specific variable, every client goes to AWS_ENDPOINT_URL", async () => {
    process.env.AWS_ENDPOINT_URL = genericUrl;
    for (const { call } of calls) await expect(call(aws)).rejects.toThrow();
    expect(arrivals.map((a) => `${a.server}:${a.signingService}`)).toEqual(calls.map((c) => `generic:${c.signingService}`));
  });

  it("a service-specific variable only moves its own service", async () => {
    process.env.AWS_ENDPOINT_URL = genericUrl;
    process.env.AWS_ENDPOINT_URL_STS = specificUrl;
    await expect(calls[0]!.call(aws)).rejects.toThrow();
    await expect(calls[1]!.call(aws)).rejects.toThrow();
    expect(arrivals.map((a) => `${a.server}:${a.signingService}`)).toEqual(["specific:sts", "generic:cognito-idp"]);
  });
});

describe("serviceEndpoint (fetch-based calls)", () => {
  it("prefers AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the default; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns both off", () => {
    const fallback = "https://bedrock-agentcore.us-east-1.amazonaws.com";
    expect(
      serviceEndpoint("BEDROCK_AGENTCORE", fallback, {
        AWS_ENDPOINT_URL: "http://127.0.0.1:1/",
        AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: "http://127.0.0.1:2/",
      }),
    ).toBe("http://127.0.0.1:2");
    expect(serviceEndpoint("BEDROCK_AGENTCORE", fallback, { AWS_ENDPOINT_URL: "http://127.0.0.1:1/" })).toBe("http://127.0.0.1:1");
    expect(serviceEndpoint("BEDROCK_AGENTCORE", fallback, {})).toBe(fallback);
    expect(
      serviceEndpoint("BEDROCK_AGENTCORE", fallback, {
        AWS_ENDPOINT_URL: "http://127.0.0.1:1",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
      }),
    ).toBe(fallback);
  });
});
