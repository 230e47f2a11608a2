import { describe, expect, it } from "vitest";
import {
  agentSchema,
  authorizerConfigurationSchema,
  configSchema,
  formatIssuePath,
  headerAllowlistSchema,
} from "../../src/config/schema.js";

const agent = { name: "my_agent", entrypoint: "agent.py", language: "python" };
const jwt = (fields: Record<string, unknown>) => ({
  customJWTAuthorizer: { discoveryUrl: "https://issuer.example.com/.well-known/openid-configuration", ...fields },
});

/** The first issue's "path: message", the way the store reports it. */
function firstIssue(
  schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } },
  value: unknown,
): string {
  const parsed = schema.safeParse(value);
  expect(parsed.success).toBe(false);
  const issue = parsed.error!.issues[0]!;
  return `${formatIssuePath(issue.path)}: ${issue.message}`;
}

describe("agent schema", () => {
  it("fills defaults for a minimal agent and keeps unknown fields", () => {
    const parsed = agentSchema.parse({ ...agent, laterField: { a: 1 } });
    expect(parsed).toMatchObject({
      platform: "linux/arm64",
      executionRole: "auto",
      ecrRepository: "auto",
      requirementsFile: null,
      authorizerConfiguration: null,
      requestHeaderAllowlist: [],
      environmentVariables: {},
      protocol: "HTTP",
      deployment: null,
      laterField: { a: 1 },
    });
  });

  it.each([
    ["a name starting with a digit", { name: "1agent" }, /^name: must start with a letter/],
    ["a name with a hyphen", { name: "my-agent" }, /^name: must start with a letter/],
    ["a name of 49 characters", { name: `a${"b".repeat(48)}` }, /^name: .*1-48 characters/],
    ["an empty entrypoint", { entrypoint: "" }, /^entrypoint:/],
    ["an unknown language", { language: "ruby" }, /^language:/],
    ["an x86 platform", { platform: "linux/amd64" }, /^platform:/],
    ["an execution role that is not an ARN", { executionRole: "MyRole" }, /^executionRole: must be an IAM role ARN or "auto"/],
    ["an unknown protocol", { protocol: "GRPC" }, /^protocol:/],
    ["an empty ECR repository", { ecrRepository: "" }, /^ecrRepository:/],
    [
      "more than 50 environment variables",
      { environmentVariables: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`K${i}`, "v"])) },
      /^environmentVariables: at most 50/,
    ],
    ["an environment value over 5000 characters", { environmentVariables: { K: "x".repeat(5001) } }, /^environmentVariables\.K:/],
  ])("rejects %s", (_, change, message) => {
    expect(firstIssue(agentSchema, { ...agent, ...change })).toMatch(message);
  });

  it("accepts an execution role ARN in any partition", () => {
    expect(agentSchema.safeParse({ ...agent, executionRole: "arn:aws-cn:iam::123456789012:role/x" }).success).toBe(true);
  });
});

describe("authorizer schema", () => {
  it("accepts a Cognito authorizer and a loopback http issuer", () => {
    expect(authorizerConfigurationSchema.safeParse(jwt({ allowedClients: ["abc"] })).success).toBe(true);
    expect(
      authorizerConfigurationSchema.safeParse({
        customJWTAuthorizer: { discoveryUrl: "http://127.0.0.1:9229/local_x/.well-known/openid-configuration", allowedClients: ["c"] },
      }).success,
    ).toBe(true);
  });

  it.each([
    [
      "a discovery URL without the well-known path",
      jwt({ discoveryUrl: "https://issuer.example.com", allowedClients: ["c"] }),
      /discoveryUrl: .*must end with \/\.well-known\/openid-configuration/,
    ],
    [
      "a plain-http discovery URL off loopback",
      jwt({ discoveryUrl: "http://issuer.example.com/.well-known/openid-configuration", allowedClients: ["c"] }),
      /discoveryUrl: .*must use https/,
    ],
    [
      "no clients, audience, scopes or claims",
      jwt({}),
      /set at least one of allowedClients, allowedAudience, allowedScopes or customClaims/,
    ],
    ["an empty client list", jwt({ allowedClients: [] }), /allowedClients:/],
    ["an empty client ID", jwt({ allowedClients: [""] }), /allowedClients\[0\]:/],
    ["a scope with a space", jwt({ allowedScopes: ["a b"] }), /allowedScopes\[0\]: scopes are 1-255 printable characters/],
    ["a scope with a quote", jwt({ allowedScopes: ['a"b'] }), /allowedScopes\[0\]:/],
    ["a second top-level key", { ...jwt({ allowedClients: ["c"] }), other: {} }, /Unrecognized key/],
    ["a missing customJWTAuthorizer", {}, /customJWTAuthorizer:/],
  ])("rejects %s", (_, value, message) => {
    expect(firstIssue(authorizerConfigurationSchema, value)).toMatch(message);
  });
});

describe("request header allowlist schema", () => {
  it.each([
    ["an invalid header name", ["X Bad"], /is not a valid header name/],
    ["an X-Amz- header", ["X-Amz-Date"], /X-Amz- cannot be allowlisted/],
    ["an X-Amzn- header outside the custom prefix", ["X-Amzn-Trace-Id"], /X-Amzn- headers cannot be allowlisted/],
    ["a restricted header", ["Cookie"], /restricted header/],
    ["an X-Forwarded- header", ["X-Forwarded-For"], /restricted header/],
    ["21 headers", Array.from({ length: 21 }, (_, i) => `X-H${i}`), /at most 20 headers/],
    ["a case-insensitive duplicate", ["X-Tenant", "x-tenant"], /must be unique/],
  ])("rejects %s", (_, value, message) => {
    expect(firstIssue(headerAllowlistSchema, value)).toMatch(message);
  });

  it("accepts Authorization and the custom prefix", () => {
    expect(headerAllowlistSchema.safeParse(["Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"]).success).toBe(true);
  });
});

describe("config schema", () => {
  it.each([
    ["an agent stored under another key", { version: 1, agents: { other: agent } }, /^agents\.other\.name: must equal its key "other"/],
    [
      "a default agent that does not exist",
      { version: 1, defaultAgent: "nope", agents: { my_agent: agent } },
      /^defaultAgent: names no agent/,
    ],
    ["an unknown version", { version: 2, agents: {} }, /^version:/],
    [
      "a cognito section without a client ID",
      { version: 1, agents: {}, cognito: { region: "us-east-1", userPoolId: "p", username: "u", discoveryUrl: "d" } },
      /^cognito\.clientId:/,
    ],
    ["agents that is not an object", { version: 1, agents: [] }, /^agents:/],
  ])("rejects %s", (_, value, message) => {
    expect(firstIssue(configSchema, value)).toMatch(message);
  });

  it("keeps unknown top-level fields", () => {
    expect(configSchema.parse({ version: 1, agents: {}, future: true })).toMatchObject({ future: true });
  });
});
