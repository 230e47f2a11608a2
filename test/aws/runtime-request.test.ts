/**
 * Unit tests of launch's building blocks where a wire-level fake adds nothing: the runtime
 * configuration sent on Create/Update (pure), and the role reconciliation's call pattern
 * (aws-sdk-client-mock: which IAM writes happen for which existing state).
 */

import {
  AuthorizingClaimMatchValueType$,
  ClaimMatchValueType$,
  CustomClaimValidationType$,
  CustomJWTAuthorizerConfiguration$,
} from "@aws-sdk/client-bedrock-agentcore-control";
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ensureManagedRole } from "../../src/aws/iam-role.js";
import { runtimeExecutionPolicy, runtimeTrustPolicy } from "../../src/aws/policies.js";
import { AUTHORIZER_SDK_MEMBERS, checkAuthorizerMembers, configurationHash, runtimeConfiguration } from "../../src/aws/runtime.js";
import { agentSchema } from "../../src/config/schema.js";

const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/bedrock-agentcore-a:0123456789abcdef";
const ROLE = "arn:aws:iam::123456789012:role/r";
const DISCOVERY = "https://issuer.example.com/.well-known/openid-configuration";

describe("runtimeConfiguration", () => {
  it("sends everything Update would otherwise reset, and leaves out only what IAM auth / an empty allowlist mean", () => {
    const jwtAgent = agentSchema.parse({
      name: "a",
      entrypoint: "a.py",
      language: "python",
      protocol: "MCP",
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: DISCOVERY, allowedAudience: ["api"], allowedScopes: ["read"] } },
      requestHeaderAllowlist: ["Authorization"],
      environmentVariables: { A: "1" },
    });
    expect(runtimeConfiguration(jwtAgent, IMAGE, ROLE)).toEqual({
      agentRuntimeArtifact: { containerConfiguration: { containerUri: IMAGE } },
      roleArn: ROLE,
      networkConfiguration: { networkMode: "PUBLIC" },
      protocolConfiguration: { serverProtocol: "MCP" },
      environmentVariables: { A: "1" },
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: DISCOVERY, allowedAudience: ["api"], allowedScopes: ["read"] } },
      requestHeaderConfiguration: { requestHeaderAllowlist: ["Authorization"] },
    });
    const iamAgent = agentSchema.parse({ name: "a", entrypoint: "a.py", language: "python" });
    const iamConfig = runtimeConfiguration(iamAgent, IMAGE, ROLE);
    expect(iamConfig).not.toHaveProperty("authorizerConfiguration");
    expect(iamConfig).not.toHaveProperty("requestHeaderConfiguration");
    expect(iamConfig.environmentVariables).toEqual({}); // sent even when empty: Update replaces the whole configuration
  });

  it("sends the agent's VPC network and session lifecycle (every Update replaces them), and a code artifact as given", () => {
    const agent = agentSchema.parse({
      name: "a",
      entrypoint: "a.py",
      language: "python",
      networkConfiguration: {
        networkMode: "VPC",
        networkModeConfig: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"] },
      },
      lifecycleConfiguration: { idleRuntimeSessionTimeout: 300 },
    });
    const code = {
      codeConfiguration: { code: { s3: { bucket: "b", prefix: "a/sha.zip" } }, runtime: "PYTHON_3_13" as const, entryPoint: ["a.py"] },
    };
    const config = runtimeConfiguration(agent, code, ROLE);
    expect(config.agentRuntimeArtifact).toEqual(code);
    expect(config.networkConfiguration).toEqual(agent.networkConfiguration);
    expect(config.lifecycleConfiguration).toEqual({ idleRuntimeSessionTimeout: 300 });
    expect(configurationHash(config)).not.toBe(configurationHash(runtimeConfiguration(agent, IMAGE, ROLE)));
  });

  it("hashes canonically: key order does not matter, any value does", () => {
    const agent = agentSchema.parse({ name: "a", entrypoint: "a.py", language: "python", environmentVariables: { A: "1", B: "2" } });
    const reordered = agentSchema.parse({ name: "a", entrypoint: "a.py", language: "python", environmentVariables: { B: "2", A: "1" } });
    expect(configurationHash(runtimeConfiguration(agent, IMAGE, ROLE))).toBe(
      configurationHash(runtimeConfiguration(reordered, IMAGE, ROLE)),
    );
    expect(configurationHash(runtimeConfiguration(agent, IMAGE, ROLE))).not.toBe(
      configurationHash(runtimeConfiguration(agent, `${IMAGE}0`, ROLE)),
    );
  });
});

describe("authorizer fields the SDK would drop", () => {
  it("knows exactly the members of the installed SDK's schemas", () => {
    // A static structure/union schema is [kind, namespace, name, traits, memberNames, memberSchemas, ...].
    const members = (schema: unknown) => [...((schema as unknown[])[4] as string[])].sort();
    expect([...AUTHORIZER_SDK_MEMBERS.customJWTAuthorizer].sort()).toEqual(members(CustomJWTAuthorizerConfiguration$));
    expect([...AUTHORIZER_SDK_MEMBERS.customClaim].sort()).toEqual(members(CustomClaimValidationType$));
    expect([...AUTHORIZER_SDK_MEMBERS.authorizingClaimMatchValue].sort()).toEqual(members(AuthorizingClaimMatchValueType$));
    expect([...AUTHORIZER_SDK_MEMBERS.claimMatchValue].sort()).toEqual(members(ClaimMatchValueType$));
  });

  const agentWith = (customJWTAuthorizer: Record<string, unknown>) =>
    agentSchema.parse({ name: "a", entrypoint: "a.py", language: "python", authorizerConfiguration: { customJWTAuthorizer } });

  it("refuses a misspelt member (the SDK would deploy the authorizer without it) and suggests the right one", () => {
    const typo = agentWith({ discoveryUrl: DISCOVERY, allowedClients: ["c"], allowedAudiences: ["api"] });
    expect(() => checkAuthorizerMembers(typo)).toThrow(/customJWTAuthorizer\.allowedAudiences is not a field of the AgentCore authorizer/);
    try {
      checkAuthorizerMembers(typo);
    } catch (error) {
      expect(error).toMatchObject({ code: "UnknownAuthorizerField", hint: expect.stringMatching(/Did you mean "allowedAudience"\?/) });
    }
    const claim = agentWith({
      discoveryUrl: DISCOVERY,
      customClaims: [
        {
          inboundTokenClaimName: "dept",
          inboundTokenClaimValueType: "STRING",
          authorizingClaimMatchValue: { claimMatchValue: { matchValue: "x" }, claimMatchOperator: "EQUALS" },
        },
      ],
    });
    expect(() => checkAuthorizerMembers(claim)).toThrow(
      /customClaims\[0\]\.authorizingClaimMatchValue\.claimMatchValue\.matchValue is not a field/,
    );
  });

  it("accepts every member the SDK knows, and IAM agents", () => {
    expect(() =>
      checkAuthorizerMembers(
        agentWith({
          discoveryUrl: DISCOVERY,
          allowedAudience: ["api"],
          advertisedScopeMapping: { read: "read" },
          customClaims: [
            {
              inboundTokenClaimName: "dept",
              inboundTokenClaimValueType: "STRING",
              authorizingClaimMatchValue: { claimMatchValue: { matchValueString: "x" }, claimMatchOperator: "EQUALS" },
            },
          ],
        }),
      ),
    ).not.toThrow();
    expect(() => checkAuthorizerMembers(agentSchema.parse({ name: "a", entrypoint: "a.py", language: "python" }))).not.toThrow();
  });
});

describe("runtimeExecutionPolicy", () => {
  const scope = { partition: "aws", region: "us-east-1", account: "123456789012", agentName: "a", imageUri: IMAGE };
  const a2aStatement = (protocol?: "HTTP" | "MCP" | "A2A" | "AGUI") =>
    runtimeExecutionPolicy({ ...scope, protocol }).Statement.find((s) => s.Sid === "A2AInvokeAgentRuntimes");

  it("lets A2A agents invoke other runtimes (as the starter toolkit's role does); other protocols do not get it", () => {
    expect(a2aStatement("A2A")).toEqual({
      Sid: "A2AInvokeAgentRuntimes",
      Effect: "Allow",
      Action: ["bedrock-agentcore:InvokeAgentRuntime", "bedrock-agentcore:InvokeAgentRuntimeForUser"],
      Resource: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/*",
    });
    for (const protocol of ["HTTP", "MCP", "AGUI", undefined] as const) expect(a2aStatement(protocol)).toBeUndefined();
  });
});

describe("ensureManagedRole (aws-sdk-client-mock)", () => {
  const iamMock = mockClient(IAMClient);
  const scope = { partition: "aws", region: "us-east-1", account: "123456789012" };
  const spec = {
    name: "agentcore-ts-runtime-us-east-1-abc",
    description: "d",
    trustPolicy: runtimeTrustPolicy(scope),
    policyName: "AgentCoreRuntimeExecution",
    policy: runtimeExecutionPolicy({ ...scope, agentName: "a", imageUri: IMAGE }),
  };
  const existing = (trust: unknown) => ({
    Role: {
      RoleName: spec.name,
      Arn: `arn:aws:iam::123456789012:role/${spec.name}`,
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
      Path: "/",
      RoleId: "x",
      CreateDate: new Date(),
    },
  });
  const writes = () => [
    ...iamMock.commandCalls(CreateRoleCommand),
    ...iamMock.commandCalls(PutRolePolicyCommand),
    ...iamMock.commandCalls(UpdateAssumeRolePolicyCommand),
  ];

  beforeEach(() => iamMock.reset());

  it("creates a missing role with the managed tag, then its inline policy", async () => {
    iamMock.on(GetRoleCommand).rejects(Object.assign(new Error("nope"), { name: "NoSuchEntityException" }));
    iamMock
      .on(CreateRoleCommand)
      .resolves({ Role: { Arn: "arn:aws:iam::123456789012:role/x", RoleName: "x", Path: "/", RoleId: "x", CreateDate: new Date() } });
    const outcome = await ensureManagedRole(new IAMClient({ region: "us-east-1" }), spec);
    expect(outcome).toMatchObject({ created: true, changed: true, managed: true });
    expect(iamMock).toHaveReceivedCommandWith(CreateRoleCommand, {
      RoleName: spec.name,
      Tags: [{ Key: "agentcore-ts:managed", Value: "true" }],
    });
    expect(iamMock).toHaveReceivedCommandWith(PutRolePolicyCommand, { RoleName: spec.name, PolicyName: "AgentCoreRuntimeExecution" });
  });

  it("never writes to an existing role without the managed tag", async () => {
    iamMock.on(GetRoleCommand).resolves(existing({ Version: "2012-10-17", Statement: [] }));
    iamMock.on(ListRoleTagsCommand).resolves({ Tags: [{ Key: "team", Value: "x" }], IsTruncated: false });
    const outcome = await ensureManagedRole(new IAMClient({ region: "us-east-1" }), spec);
    expect(outcome).toMatchObject({ managed: false, created: false, changed: false });
    expect(writes()).toEqual([]);
  });

  it("leaves an up-to-date managed role alone, and rewrites only what drifted", async () => {
    iamMock.on(GetRoleCommand).resolves(existing(spec.trustPolicy));
    iamMock.on(ListRoleTagsCommand).resolves({ Tags: [{ Key: "agentcore-ts:managed", Value: "true" }], IsTruncated: false });
    iamMock.on(GetRolePolicyCommand).resolves({
      RoleName: spec.name,
      PolicyName: spec.policyName,
      PolicyDocument: encodeURIComponent(JSON.stringify(spec.policy, null, 2)),
    });
    expect(await ensureManagedRole(new IAMClient({ region: "us-east-1" }), spec)).toMatchObject({ changed: false });
    expect(writes()).toEqual([]);

    iamMock.on(GetRolePolicyCommand).resolves({
      RoleName: spec.name,
      PolicyName: spec.policyName,
      PolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'),
    });
    expect(await ensureManagedRole(new IAMClient({ region: "us-east-1" }), spec)).toMatchObject({ changed: true });
    expect(iamMock.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(iamMock.commandCalls(UpdateAssumeRolePolicyCommand)).toHaveLength(0);
  });
});
