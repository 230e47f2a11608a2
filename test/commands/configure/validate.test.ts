import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentNameProblem,
  buildJwtAuthorizer,
  checkDiscoveryUrl,
  checkEcrRepository,
  checkExecutionRole,
  checkHeaderAllowlist,
  cognitoRegionOf,
  fetchDiscoveryDocument,
  inferAgentName,
  isCognitoDiscoveryUrl,
  languageOf,
  parseAuthorizerConfig,
  parseList,
  projectRelative,
  sanitizeDirName,
} from "../../../src/commands/configure/validate.js";
import { UsageError, ValidationError } from "../../../src/errors.js";

const COGNITO_URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/openid-configuration";

describe("list parsing", () => {
  it.each([
    ["a,b", ["a", "b"]],
    ["a, b ,  c", ["a", "b", "c"]],
    ["aud1,aud2", ["aud1", "aud2"]],
    [" a ,, ,b,", ["a", "b"]],
    ["a,a,b", ["a", "b"]],
    ["", []],
    [undefined, []],
  ])("parses %j", (value, expected) => {
    expect(parseList(value)).toEqual(expected);
  });
});

describe("agent names", () => {
  it.each([
    ["agents/writer/main.py", "agents_writer_main"],
    ["agent.py", "agent"],
    ["src/agent.ts", "src_agent"],
    ["my-agent/app.py", "my_agent_app"],
    ["my agent.mjs", "my_agent"],
  ])("infers %s -> %s like the toolkit", (entrypoint, name) => {
    expect(inferAgentName(entrypoint)).toBe(name);
  });

  it.each(["1agent", "my-agent", "_agent", "", `a${"b".repeat(48)}`, "agént"])("rejects %j with the rule", (name) => {
    expect(agentNameProblem(name)).toMatch(
      /is not a valid agent name: it must start with a letter and hold only letters, digits and '_' \(1-48 characters\)/,
    );
  });

  it("accepts 48 characters", () => {
    expect(agentNameProblem(`a${"b".repeat(47)}`)).toBeUndefined();
  });

  it("sanitizes a directory name, or gives up", () => {
    expect(sanitizeDirName("my-project")).toBe("my_project");
    expect(sanitizeDirName("2024 agents!")).toBe("agents");
    expect(sanitizeDirName("123")).toBeUndefined();
  });
});

describe("entrypoint", () => {
  it.each([
    ["agent.py", "python"],
    ["src/agent.ts", "node"],
    ["index.js", "node"],
    ["main.mjs", "node"],
  ])("%s is %s", (file, language) => {
    expect(languageOf(file)).toBe(language);
  });

  it("rejects other files", () => {
    expect(() => languageOf("agent.rb")).toThrow(/Cannot tell the language of the entrypoint "agent.rb"/);
  });

  it("stores paths relative to the project and refuses paths outside it", () => {
    const root = path.resolve("/p/project");
    expect(projectRelative(root, path.join(root, "sub"), "agent.py", "entrypoint", "--entrypoint")).toBe("sub/agent.py");
    expect(() => projectRelative(root, root, "../other/agent.py", "entrypoint", "--entrypoint")).toThrow(
      /is outside the project directory/,
    );
    expect(() => projectRelative(root, root, "my agent.py", "entrypoint", "--entrypoint")).toThrow(
      /characters the Dockerfile cannot carry/,
    );
  });
});

describe("--authorizer-config", () => {
  it("takes null as IAM", () => {
    expect(parseAuthorizerConfig("null")).toBeNull();
  });

  it("names the field an unknown key probably meant", () => {
    const attempt = () =>
      parseAuthorizerConfig(JSON.stringify({ customJWTAuthorizer: { discoveryUrl: COGNITO_URL, allowedClient: ["c1"] } }));
    expect(attempt).toThrow(
      expect.objectContaining({ code: "UnknownAuthorizerField", hint: expect.stringMatching(/^Did you mean "allowedClients"\?/) }),
    );
  });

  it("takes the toolkit's form", () => {
    expect(parseAuthorizerConfig(JSON.stringify({ customJWTAuthorizer: { discoveryUrl: COGNITO_URL, allowedClients: ["c1"] } }))).toEqual({
      customJWTAuthorizer: { discoveryUrl: COGNITO_URL, allowedClients: ["c1"] },
    });
  });

  it.each([
    ["{not json", /--authorizer-config is not valid JSON/],
    ['{"discoveryUrl": "x"}', /Invalid --authorizer-config: customJWTAuthorizer: .*; \(top level\): Unrecognized key: "discoveryUrl"/],
    [
      JSON.stringify({ customJWTAuthorizer: { discoveryUrl: "https://x.example.com/oidc", allowedClients: ["c"] } }),
      /customJWTAuthorizer\.discoveryUrl: discovery URL .* must end with/,
    ],
    [JSON.stringify({ customJWTAuthorizer: { discoveryUrl: COGNITO_URL } }), /set at least one of allowedClients/],
    [JSON.stringify({ customJWTAuthorizer: { discoveryUrl: COGNITO_URL, allowedAudience: [] } }), /customJWTAuthorizer\.allowedAudience:/],
    ['"customJWTAuthorizer"', /Invalid --authorizer-config/],
    // A typo the SDK would drop without a word, leaving the authorizer without its client check.
    [
      JSON.stringify({ customJWTAuthorizer: { discoveryUrl: COGNITO_URL, allowedClient: ["c1"], allowedScopes: ["s"] } }),
      /customJWTAuthorizer\.allowedClient is not a field of the AgentCore authorizer/,
    ],
    // AgentCore refuses a custom claim rule for scp: allowedScopes reads scope and scp.
    [
      JSON.stringify({
        customJWTAuthorizer: {
          discoveryUrl: COGNITO_URL,
          customClaims: [
            {
              inboundTokenClaimName: "scp",
              inboundTokenClaimValueType: "STRING_ARRAY",
              authorizingClaimMatchValue: { claimMatchOperator: "CONTAINS", claimMatchValue: { matchValueStringList: ["agent/invoke"] } },
            },
          ],
        },
      }),
      /customClaims\[0\] names the claim "scp", which AgentCore refuses: scopes are checked by allowedScopes/,
    ],
  ])("rejects %s", (json, message) => {
    const attempt = () => parseAuthorizerConfig(json);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(message);
  });
});

describe("JWT authorizer from flags", () => {
  it("keeps only the non-empty lists", () => {
    expect(
      buildJwtAuthorizer({ discoveryUrl: COGNITO_URL, allowedClients: ["c"], allowedAudience: [], allowedScopes: ["s1", "s2"] }),
    ).toEqual({
      customJWTAuthorizer: { discoveryUrl: COGNITO_URL, allowedClients: ["c"], allowedScopes: ["s1", "s2"] },
    });
  });

  it("needs at least one list, and names the flags (a usage error)", () => {
    const attempt = () => buildJwtAuthorizer({ discoveryUrl: COGNITO_URL, allowedClients: [], allowedAudience: [], allowedScopes: [] });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/at least one of allowed clients, allowed audience or allowed scopes/);
    try {
      attempt();
    } catch (error) {
      expect((error as UsageError).hint).toMatch(/--allowed-clients/);
    }
  });

  it.each([
    ["https://issuer.example.com/oauth2", /must end with \/\.well-known\/openid-configuration/],
    ["http://issuer.example.com/.well-known/openid-configuration", /must use https \(http is allowed only for loopback hosts\)/],
    ["ftp://issuer.example.com/.well-known/openid-configuration", /must use https/],
  ])("rejects the discovery URL %s", (url, message) => {
    expect(() => checkDiscoveryUrl(url)).toThrow(message);
  });

  it("accepts http on loopback only", () => {
    expect(checkDiscoveryUrl("http://localhost:9229/p/.well-known/openid-configuration")).toBeTruthy();
    expect(checkDiscoveryUrl("http://127.0.0.1:1/.well-known/openid-configuration")).toBeTruthy();
  });

  it("rejects a bad scope", () => {
    expect(() =>
      buildJwtAuthorizer({ discoveryUrl: COGNITO_URL, allowedClients: [], allowedAudience: [], allowedScopes: ["has space"] }),
    ).toThrow(/Invalid scope "has space"/);
  });
});

describe("request header allowlist", () => {
  it("drops case-insensitive duplicates", () => {
    expect(checkHeaderAllowlist(["Authorization", "X-Tenant", "x-tenant"], true)).toEqual(["Authorization", "X-Tenant"]);
  });

  it.each([
    [["X Bad"], true, /is not a valid header name/],
    [["Host"], true, /restricted header/],
    [["X-Amzn-Trace-Id"], true, /X-Amzn- headers cannot be allowlisted/],
    [Array.from({ length: 21 }, (_, i) => `X-H${i}`), true, /has 21 headers; AgentCore allows at most 20/],
    [["authorization"], false, /Authorization header can be allowlisted only for an agent with a JWT authorizer/],
  ])("rejects %j (jwt=%s)", (names, jwt, message) => {
    expect(() => checkHeaderAllowlist(names, jwt)).toThrow(message);
  });
});

describe("execution role and ECR repository", () => {
  it("takes auto or a role ARN", () => {
    expect(checkExecutionRole("auto")).toBe("auto");
    expect(checkExecutionRole("arn:aws:iam::123456789012:role/AgentRole")).toBe("arn:aws:iam::123456789012:role/AgentRole");
    expect(() => checkExecutionRole("AgentRole")).toThrow(/Invalid execution role "AgentRole": it must be an IAM role ARN or "auto"/);
  });

  it("takes a name, a URI (stored as its name) or auto", () => {
    expect(checkEcrRepository("auto", undefined)).toEqual({ repository: "auto" });
    expect(checkEcrRepository("team/my-agent", "us-east-1")).toEqual({ repository: "team/my-agent" });
    expect(checkEcrRepository("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:latest", "us-east-1")).toEqual({
      repository: "my-agent",
      uriRegion: "us-east-1",
    });
  });

  it.each([
    ["My_Repo", undefined, /Invalid ECR repository "My_Repo"/],
    ["a", undefined, /Invalid ECR repository/],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-agent", "us-east-1", /is in eu-west-1, but the agent is configured for us-east-1/],
  ])("rejects %s", (value, region, message) => {
    expect(() => checkEcrRepository(value, region)).toThrow(message);
  });
});

describe("Cognito issuers", () => {
  it("recognises AWS Cognito and the embedded local Cognito", () => {
    expect(isCognitoDiscoveryUrl(COGNITO_URL)).toBe(true);
    expect(isCognitoDiscoveryUrl("http://127.0.0.1:45559/local_04XqTyxU/.well-known/openid-configuration")).toBe(true);
    expect(
      isCognitoDiscoveryUrl("http://127.0.0.1:1/x/.well-known/openid-configuration", {
        region: "r",
        userPoolId: "p",
        clientId: "c",
        username: "u",
        discoveryUrl: "http://127.0.0.1:1/x/.well-known/openid-configuration",
      }),
    ).toBe(true);
    expect(isCognitoDiscoveryUrl("https://login.example.com/.well-known/openid-configuration")).toBe(false);
    expect(cognitoRegionOf(COGNITO_URL)).toBe("us-east-1");
    expect(cognitoRegionOf("https://login.example.com/.well-known/openid-configuration")).toBeUndefined();
  });
});

describe("discovery document check", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const routes: Record<string, () => void> = {
        "/ok/.well-known/openid-configuration": () => res.end(JSON.stringify({ issuer: "http://x", jwks_uri: "http://x/jwks" })),
        "/nojwks/.well-known/openid-configuration": () => res.end(JSON.stringify({ issuer: "http://x" })),
        "/html/.well-known/openid-configuration": () => res.end("<html>"),
        "/slow/.well-known/openid-configuration": () => setTimeout(() => res.end("{}"), 2000),
      };
      const route = routes[req.url ?? ""];
      if (route) return route();
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("returns issuer and jwks_uri", async () => {
    await expect(fetchDiscoveryDocument(`${base}/ok/.well-known/openid-configuration`)).resolves.toEqual({
      issuer: "http://x",
      jwks_uri: "http://x/jwks",
    });
  });

  it.each([
    ["nojwks", /has no jwks_uri/],
    ["html", /did not return JSON/],
    ["missing", /answered HTTP 404/],
  ])("rejects the %s document", async (route, message) => {
    await expect(fetchDiscoveryDocument(`${base}/${route}/.well-known/openid-configuration`)).rejects.toThrow(message);
  });

  it("names the URL and --skip-discovery-check when unreachable or slow", async () => {
    // A port that was just free: nothing listens there.
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    const port = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
    const dead = `http://127.0.0.1:${port}/.well-known/openid-configuration`;
    const unreachable = await fetchDiscoveryDocument(dead).catch((error: ValidationError) => error);
    expect(unreachable).toBeInstanceOf(ValidationError);
    expect((unreachable as ValidationError).message).toBe(`Cannot reach the discovery URL ${dead} (ECONNREFUSED).`);
    expect((unreachable as ValidationError).hint).toMatch(/--skip-discovery-check/);
    await expect(fetchDiscoveryDocument(`${base}/slow/.well-known/openid-configuration`, { timeoutMs: 200 })).rejects.toThrow(
      /no answer within 0.2 s/,
    );
  });
});
