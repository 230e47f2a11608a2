import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigureDeps, ConfigureInputs } from "../../../src/commands/configure/configure.js";
import * as operation from "../../../src/commands/configure/configure.js";
import { printConfigure } from "../../../src/commands/configure/print.js";
import { createContext } from "../../../src/core/context.js";
import { type AgentcoreError, UsageError } from "../../../src/errors.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { NonInteractivePrompter, type Prompter, ScriptedPrompter } from "../../../src/ui/prompts.js";
import { exists } from "../../../src/util/fs.js";
import { tempDir } from "../../support/cli.js";
import { type DiscoveryServer, startDiscoveryServer, writeProject } from "../../support/project.js";

let issuer: DiscoveryServer;
let discoveryUrl: string;

beforeAll(async () => {
  // A loopback OIDC issuer shaped like the embedded Cognito: /<poolId>/.well-known/openid-configuration.
  issuer = await startDiscoveryServer(["gone"]);
  discoveryUrl = issuer.url("us-east-1_TestPool");
});

afterAll(() => issuer.close());

interface Setup {
  prompter?: Prompter;
  region?: string;
  fetch?: typeof fetch;
  cwd?: string;
}

function depsFor(dir: string, setup: Setup = {}): ConfigureDeps & { output: MemoryOutput } {
  const output = new MemoryOutput();
  const ctx = createContext({
    cwd: setup.cwd ?? dir,
    // No AWS_REGION and no profile: the region comes from --region or configure's own defaults.
    env: { AWS_CONFIG_FILE: "/nonexistent/aws-config" },
    globals: { region: setup.region, json: false, verbose: false, nonInteractive: !setup.prompter?.interactive },
    output,
    prompter: setup.prompter ?? new NonInteractivePrompter(),
    stdin: process.stdin,
  });
  return Object.assign(ctx, { output, fetch: setup.fetch, discoveryTimeoutMs: 2000 });
}

/** The operation, then its printer on the result (what `run` does without --json); gives the saved agent. */
async function configure(inputs: ConfigureInputs, deps: ConfigureDeps) {
  const result = await operation.configure(inputs, deps);
  printConfigure(result, deps.output);
  return result.agent;
}

const project = (files: Record<string, string> = { "agent.py": "print('hi')\n", "requirements.txt": "bedrock-agentcore\n" }) =>
  writeProject(files);

async function readConfig(dir: string) {
  return JSON.parse(await fsp.readFile(path.join(dir, ".agentcore.json"), "utf8"));
}

const cognitoSection = () => ({
  region: "eu-west-1",
  userPoolId: "us-east-1_TestPool",
  clientId: "client123",
  username: "testuser",
  discoveryUrl,
  local: true,
});

describe("configure (non-interactive)", () => {
  it("after cognito setup, a bare configure gives a JWT authorizer for that pool and forwards Authorization", async () => {
    const dir = await project();
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify({ version: 1, agents: {}, cognito: cognitoSection() }));
    const deps = depsFor(dir);
    const agent = await configure({ entrypoint: "agent.py" }, deps);

    const config = await readConfig(dir);
    expect(config.defaultAgent).toBe("agent");
    expect(config.cognito.clientId).toBe("client123");
    expect(config.agents.agent).toEqual(agent);
    expect(agent).toMatchObject({
      name: "agent",
      entrypoint: "agent.py",
      language: "python",
      platform: "linux/arm64",
      region: "eu-west-1",
      executionRole: "auto",
      ecrRepository: "auto",
      dockerfile: "Dockerfile",
      requirementsFile: "requirements.txt",
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl, allowedClients: ["client123"] } },
      requestHeaderAllowlist: ["Authorization"],
      deployment: null,
    });
    expect(deps.output.lines.join("\n")).toMatch(/Added Authorization to the request header allowlist/);
    expect(deps.output.lines.join("\n")).toMatch(/agentcore-ts launch/);
    expect(await fsp.readFile(path.join(dir, "Dockerfile"), "utf8")).toMatch(/CMD \["opentelemetry-instrument", "python", "-m", "agent"\]/);
    expect(await fsp.readFile(path.join(dir, ".dockerignore"), "utf8")).toMatch(/^\*\*\/\.env$/m);
  });

  it("returns what the summary needs, and its --json document is the saved agent alone", async () => {
    const dir = await project();
    const deps = depsFor(dir);
    const result = await operation.configure({ entrypoint: "agent.py", discoveryUrl, allowedClients: "c1" }, deps);
    expect(result).toMatchObject({
      configFile: path.join(dir, ".agentcore.json"),
      updated: false,
      authSource: "flags",
      dockerfile: { relative: "Dockerfile", action: "written" },
      dockerignore: { relative: ".dockerignore", action: "written" },
      headerNote: expect.stringMatching(/^Added Authorization/),
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual((await readConfig(dir)).agents.agent);
    expect(deps.output.lines).toEqual([`✔ Discovery document ${discoveryUrl}`]);
  });

  it("takes COGNITO_DISCOVERY_URL, COGNITO_CLIENT_ID and AWS_REGION from .env", async () => {
    const dir = await project();
    await fsp.writeFile(
      path.join(dir, ".env"),
      `COGNITO_DISCOVERY_URL=${discoveryUrl}\nCOGNITO_CLIENT_ID=fromdotenv\nAWS_REGION=ap-south-1\n`,
    );
    const agent = await configure({ entrypoint: "agent.py", name: "envagent" }, depsFor(dir));
    expect(agent.region).toBe("ap-south-1");
    expect(agent.authorizerConfiguration?.customJWTAuthorizer).toEqual({ discoveryUrl, allowedClients: ["fromdotenv"] });
  });

  it("lets flags win over .env and warns about aud with a Cognito issuer", async () => {
    const dir = await project();
    await fsp.writeFile(path.join(dir, ".env"), `COGNITO_DISCOVERY_URL=${discoveryUrl}\nCOGNITO_CLIENT_ID=fromdotenv\n`);
    const deps = depsFor(dir, { region: "us-west-2" });
    const agent = await configure(
      { entrypoint: "agent.py", allowedAudience: "aud1, aud2", requestHeaderAllowlist: "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant" },
      deps,
    );
    expect(agent.region).toBe("us-west-2");
    expect(agent.authorizerConfiguration?.customJWTAuthorizer).toEqual({ discoveryUrl, allowedAudience: ["aud1", "aud2"] });
    expect(agent.requestHeaderAllowlist).toEqual(["Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"]);
    expect(deps.output.warnings.join("\n")).toMatch(/Cognito access tokens carry client_id, not aud/);
  });

  it("uses IAM without an issuer, says so, and refuses an allowlisted Authorization for IAM", async () => {
    const dir = await project();
    const deps = depsFor(dir);
    const agent = await configure({ entrypoint: "agent.py" }, deps);
    expect(agent.authorizerConfiguration).toBeNull();
    expect(agent.requestHeaderAllowlist).toEqual([]);
    expect(deps.output.warnings.join("\n")).toMatch(/uses IAM \(SigV4\) inbound auth/);

    const other = await project();
    await expect(
      configure({ entrypoint: "agent.py", authorizerConfig: "null", requestHeaderAllowlist: "Authorization" }, depsFor(other)),
    ).rejects.toThrow(/Authorization header can be allowlisted only for an agent with a JWT authorizer/);
    expect(await exists(path.join(other, ".agentcore.json"))).toBe(false);
  });

  it("reconfigures: keeps deployment, environment, unknown fields and the authorizer; drops Authorization when switched to IAM", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "", "v2/agent.py": "" });
    await configure({ entrypoint: "agent.py", discoveryUrl, allowedClients: "c1" }, depsFor(dir));
    const config = await readConfig(dir);
    config.agents.agent.deployment = {
      runtimeId: "agent-AbCdEf1234",
      runtimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-AbCdEf1234",
    };
    config.agents.agent.environmentVariables = { MODEL: "claude" };
    config.agents.agent.laterField = { keep: true };
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(config));

    const updated = await configure(
      { entrypoint: "v2/agent.py", name: "agent", executionRole: "arn:aws:iam::123456789012:role/R" },
      depsFor(dir),
    );
    expect(updated).toMatchObject({
      entrypoint: "v2/agent.py",
      executionRole: "arn:aws:iam::123456789012:role/R",
      requirementsFile: "requirements.txt",
      deployment: config.agents.agent.deployment,
      environmentVariables: { MODEL: "claude" },
      laterField: { keep: true },
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl, allowedClients: ["c1"] } },
      requestHeaderAllowlist: ["Authorization"],
    });

    const deps = depsFor(dir);
    const iam = await configure({ entrypoint: "v2/agent.py", name: "agent", authorizerConfig: "null" }, deps);
    expect(iam.authorizerConfiguration).toBeNull();
    expect(iam.requestHeaderAllowlist).toEqual([]);
    expect(iam.deployment).toEqual(config.agents.agent.deployment);
    expect(deps.output.lines.join("\n")).toMatch(/Removed Authorization from the request header allowlist/);
  });

  it("an agent on a Cognito pool follows the project's pool after cognito setup moved it (local -> AWS)", async () => {
    const dir = await project();
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify({ version: 1, agents: {}, cognito: cognitoSection() }));
    await configure({ entrypoint: "agent.py" }, depsFor(dir));
    // `cognito setup --no-local` rewrote the cognito section for a pool in AWS.
    const config = await readConfig(dir);
    const awsPool = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AwsPool1/.well-known/openid-configuration";
    config.cognito = {
      region: "eu-west-1",
      userPoolId: "eu-west-1_AwsPool1",
      clientId: "awsclient",
      username: "testuser",
      discoveryUrl: awsPool,
      local: false,
    };
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(config));

    const moved = await configure({ entrypoint: "agent.py", skipDiscoveryCheck: true }, depsFor(dir));
    expect(moved.authorizerConfiguration).toEqual({ customJWTAuthorizer: { discoveryUrl: awsPool, allowedClients: ["awsclient"] } });

    // An agent on another (non-Cognito) issuer keeps its own authorizer.
    const custom = "https://login.example.com/.well-known/openid-configuration";
    const own = await configure(
      { entrypoint: "agent.py", discoveryUrl: custom, allowedAudience: "api://agent", skipDiscoveryCheck: true },
      depsFor(dir),
    );
    expect(own.authorizerConfiguration?.customJWTAuthorizer.discoveryUrl).toBe(custom);
    const again = await configure({ entrypoint: "agent.py", skipDiscoveryCheck: true }, depsFor(dir));
    expect(again.authorizerConfiguration).toEqual({ customJWTAuthorizer: { discoveryUrl: custom, allowedAudience: ["api://agent"] } });
  });

  it("holds several agents: the first configured stays the default, each has its own Dockerfile", async () => {
    const dir = await project({ "agents/writer/main.py": "", "agents/reader/main.py": "", "requirements.txt": "" });
    await configure({ entrypoint: "agents/writer/main.py", authorizerConfig: "null" }, depsFor(dir));
    const deps = depsFor(dir);
    const reader = await configure({ entrypoint: "agents/reader", authorizerConfig: "null" }, deps);
    const config = await readConfig(dir);
    expect(Object.keys(config.agents)).toEqual(["agents_writer_main", "agents_reader_main"]);
    expect(config.defaultAgent).toBe("agents_writer_main");
    // Said, with the --agent the next commands need.
    const said = deps.output.lines.join("\n");
    expect(said).toMatch(
      /Added agent "agents_reader_main" .* \(not the default agent: commands without --agent act on "agents_writer_main"\)/,
    );
    expect(said).toMatch(/agentcore-ts launch --local --agent agents_reader_main/);
    expect(config.agents.agents_writer_main.dockerfile).toBe("Dockerfile");
    expect(reader.dockerfile).toBe("agents_reader_main.Dockerfile");
    expect(await fsp.readFile(path.join(dir, "Dockerfile"), "utf8")).toMatch(/-m", "agents\.writer\.main"/);
    expect(await fsp.readFile(path.join(dir, "agents_reader_main.Dockerfile"), "utf8")).toMatch(/-m", "agents\.reader\.main"/);

    // Reconfiguring the second does not move the default either.
    await configure({ entrypoint: "agents/reader", authorizerConfig: "null" }, depsFor(dir));
    expect((await readConfig(dir)).defaultAgent).toBe("agents_writer_main");
  });

  it("keeps an existing Dockerfile unless --force, and says which", async () => {
    const dir = await project();
    const mine = 'FROM python:3.12\nCMD ["python", "agent.py"]\n';
    await fsp.writeFile(path.join(dir, "Dockerfile"), mine);
    await fsp.writeFile(path.join(dir, ".dockerignore"), "node_modules\n");
    const deps = depsFor(dir);
    await configure({ entrypoint: "agent.py", authorizerConfig: "null" }, deps);
    expect(await fsp.readFile(path.join(dir, "Dockerfile"), "utf8")).toBe(mine);
    expect(deps.output.lines.join("\n")).toMatch(/Kept the existing Dockerfile: your own Dockerfile/);
    expect(deps.output.warnings.join("\n")).toMatch(/\.dockerignore does not exclude \.env/);

    const forced = depsFor(dir);
    await configure({ entrypoint: "agent.py", authorizerConfig: "null", force: true }, forced);
    expect(await fsp.readFile(path.join(dir, "Dockerfile"), "utf8")).toMatch(/^# Generated by agentcore-ts configure for agent "agent"/);
    expect(forced.output.lines.join("\n")).toMatch(/Overwrote Dockerfile \(--force\)/);
  });

  it("configures a TypeScript agent from its package.json", async () => {
    const dir = await project({
      "package.json": JSON.stringify({ scripts: { build: "tsc" }, dependencies: { "bedrock-agentcore": "0.4.4" } }),
      "package-lock.json": "{}",
      "tsconfig.json": JSON.stringify({ compilerOptions: { outDir: "dist", rootDir: "src" } }),
      "src/agent.ts": "",
    });
    const agent = await configure({ entrypoint: "src/agent.ts", name: "ts_agent", authorizerConfig: "null" }, depsFor(dir));
    expect(agent).toMatchObject({ language: "node", requirementsFile: "package.json" });
    const dockerfile = await fsp.readFile(path.join(dir, "Dockerfile"), "utf8");
    expect(dockerfile).toContain('CMD ["node", "dist/agent.js"]');
    expect(await fsp.readFile(path.join(dir, ".dockerignore"), "utf8")).toContain("**/node_modules/");
  });

  it("finds .agentcore.json in a parent directory and stores paths relative to it", async () => {
    const dir = await project({ "requirements.txt": "", "agents/a/agent.py": "" });
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify({ version: 1, agents: {} }));
    const deps = depsFor(dir, { cwd: path.join(dir, "agents/a") });
    const agent = await configure({ entrypoint: "agent.py", authorizerConfig: "null" }, deps);
    expect(deps.output.lines[0]).toBe(
      `Using ${path.join(dir, ".agentcore.json")} (the nearest .agentcore.json, in a parent directory; its directory is the build context).`,
    );
    expect(agent.entrypoint).toBe("agents/a/agent.py");
    expect(agent.name).toBe("agents_a_agent");
    expect(await exists(path.join(dir, "Dockerfile"))).toBe(true);
  });
});

describe("configure refuses bad input and writes nothing", () => {
  const cases: [string, ConfigureInputs, RegExp, Record<string, string>?][] = [
    ["an invalid name", { entrypoint: "agent.py", name: "my-agent", authorizerConfig: "null" }, /"my-agent" is not a valid agent name/],
    ["a missing entrypoint", { entrypoint: "nope.py" }, /The entrypoint nope.py does not exist/],
    ["an entrypoint outside the project", { entrypoint: "../outside.py" }, /does not exist|is outside the project directory/],
    ["an unsupported entrypoint", { entrypoint: "agent.rb" }, /Cannot tell the language/, { "agent.rb": "" }],
    [
      "a discovery URL without the well-known path",
      { entrypoint: "agent.py", discoveryUrl: "https://issuer.example.com", allowedClients: "c" },
      /must end with \/\.well-known\/openid-configuration/,
    ],
    [
      "a plain-http discovery URL",
      { entrypoint: "agent.py", discoveryUrl: "http://issuer.example.com/.well-known/openid-configuration", allowedClients: "c" },
      /must use https/,
    ],
    ["authorizer JSON that does not parse", { entrypoint: "agent.py", authorizerConfig: "{oops" }, /--authorizer-config is not valid JSON/],
    [
      "authorizer JSON of the wrong shape",
      { entrypoint: "agent.py", authorizerConfig: '{"customJWTAuthorizer": {"discoveryUrl": "x"}}' },
      /Invalid --authorizer-config/,
    ],
    [
      "--authorizer-config with --discovery-url",
      { entrypoint: "agent.py", authorizerConfig: "null", discoveryUrl: "https://a/.well-known/openid-configuration" },
      /cannot be combined with --discovery-url/,
    ],
    [
      "a JWT authorizer without clients, audience or scopes",
      { entrypoint: "agent.py", discoveryUrl: "https://a.example.com/.well-known/openid-configuration" },
      /needs at least one of allowed clients/,
    ],
    ["a restricted header", { entrypoint: "agent.py", authorizerConfig: "null", requestHeaderAllowlist: "Cookie" }, /restricted header/],
    ["a role that is not an ARN", { entrypoint: "agent.py", authorizerConfig: "null", executionRole: "MyRole" }, /Invalid execution role/],
    [
      "a requirements file of the wrong kind",
      { entrypoint: "agent.py", authorizerConfig: "null", requirementsFile: "package.json" },
      /is not a requirements \.txt file or pyproject\.toml/,
      { "package.json": "{}" },
    ],
    [
      "a client ID that is a token",
      {
        entrypoint: "agent.py",
        discoveryUrl: "https://a.example.com/.well-known/openid-configuration",
        allowedClients: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0dXNlciJ9.c2lnbmF0dXJl",
        skipDiscoveryCheck: true,
      },
      /looks like it holds a token/,
    ],
  ];

  it.each(cases)("%s", async (_, inputs, message, extra) => {
    const dir = await project({ "agent.py": "", "requirements.txt": "", ...extra });
    await expect(configure(inputs, depsFor(dir))).rejects.toThrow(message);
    expect(await fsp.readdir(dir)).not.toEqual(expect.arrayContaining([".agentcore.json"]));
    expect(await exists(path.join(dir, "Dockerfile"))).toBe(false);
    expect(await exists(path.join(dir, ".dockerignore"))).toBe(false);
  });

  it("an unreachable discovery document names the URL and --skip-discovery-check; skipping it works", async () => {
    const dir = await project();
    const gone = issuer.url("gone");
    const failure = await configure({ entrypoint: "agent.py", discoveryUrl: gone, allowedClients: "c" }, depsFor(dir)).catch(
      (e: AgentcoreError) => e,
    );
    expect((failure as AgentcoreError).message).toContain(gone);
    expect((failure as AgentcoreError).hint).toMatch(/--skip-discovery-check/);
    expect(await exists(path.join(dir, ".agentcore.json"))).toBe(false);
    const agent = await configure(
      { entrypoint: "agent.py", discoveryUrl: gone, allowedClients: "c", skipDiscoveryCheck: true },
      depsFor(dir),
    );
    expect(agent.authorizerConfiguration?.customJWTAuthorizer.discoveryUrl).toBe(gone);
  });

  it("without a name it can infer, says so and names --name", async () => {
    const root = tempDir();
    const dir = path.join(root, "123");
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, "1st.py"), "");
    const failure = await configure({ entrypoint: "1st.py", authorizerConfig: "null" }, depsFor(dir)).catch((e: AgentcoreError) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as UsageError).message).toMatch(
      /Cannot infer a valid agent name from the entrypoint 1st.py: "1st" must start with a letter/,
    );
    expect((failure as UsageError).hint).toMatch(/--name/);
    expect(await fsp.readdir(dir)).toEqual(["1st.py"]);
  });

  it("without an entrypoint it can find, names --entrypoint", async () => {
    const dir = await project({ "README.md": "" });
    await expect(configure({}, depsFor(dir))).rejects.toThrow(/Missing a required value: Entrypoint/);
  });

  it("rolls the Dockerfile back when the config cannot be written", async () => {
    const dir = await project();
    const file = path.join(dir, ".agentcore.json");
    await fsp.writeFile(file, JSON.stringify({ version: 1, agents: {} }));
    // Someone breaks the config between configure's read and its write.
    const breaking: typeof fetch = async (...args) => {
      await fsp.writeFile(file, "{ broken");
      return fetch(...args);
    };
    await expect(
      configure({ entrypoint: "agent.py", discoveryUrl, allowedClients: "c" }, depsFor(dir, { fetch: breaking })),
    ).rejects.toThrow(/is not valid JSON/);
    expect(await fsp.readFile(file, "utf8")).toBe("{ broken");
    expect(await exists(path.join(dir, "Dockerfile"))).toBe(false);
    expect(await exists(path.join(dir, ".dockerignore"))).toBe(false);
  });
});

describe("configure (prompts)", () => {
  it("checks the launch-settings flags before the first question, and --runtime right after the entrypoint", async () => {
    const dir = await project({ "main.py": "", "requirements.txt": "" });
    const cases: [ConfigureInputs, string][] = [
      [{ deploy: "lambda" }, "InvalidDeployMode"],
      [{ deploy: "code", runtime: "RUBY_3" }, "InvalidRuntime"],
      [{ deploy: "container", runtime: "NODE_22" }, "ConflictingFlags"],
      [{ env: ["NOT_AN_ASSIGNMENT"] }, "InvalidEnv"],
      [{ envFile: "missing.env" }, "EnvFileNotFound"],
      [{ network: "private" }, "InvalidNetwork"],
      [{ network: "public", subnets: "subnet-0123456789abcdef0" }, "ConflictingFlags"],
      [{ subnets: "subnet-1" }, "InvalidNetwork"],
      [{ idleTimeout: "5" }, "InvalidLifecycle"],
      [{ idleTimeout: "7200", maxLifetime: "3600" }, "InvalidLifecycle"],
    ];
    for (const [inputs, code] of cases) {
      const prompter = new ScriptedPrompter([]);
      const error = (await operation.configure(inputs, depsFor(dir, { prompter })).catch((e: unknown) => e)) as AgentcoreError;
      expect({ inputs, code: error.code, asked: prompter.asked }).toEqual({ inputs, code, asked: [] });
    }
    // NODE_22 cannot run the Python entrypoint typed at the first prompt: said before the name is asked.
    const prompter = new ScriptedPrompter(["main.py", "never_asked"]);
    const error = (await operation
      .configure({ deploy: "code", runtime: "NODE_22" }, depsFor(dir, { prompter }))
      .catch((e: unknown) => e)) as AgentcoreError;
    expect(error.code).toBe("InvalidRuntime");
    expect(prompter.asked).toEqual(["Entrypoint (the agent's main .py/.ts/.js file)"]);
    expect(await exists(path.join(dir, ".agentcore.json"))).toBe(false);
  });

  it("asks for what is missing, with defaults from the cognito section", async () => {
    const dir = await project({ "main.py": "", "requirements.txt": "" });
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify({ version: 1, agents: {}, cognito: cognitoSection() }));
    // entrypoint (default main.py), name, protocol (default HTTP), auth mode, discovery URL (default), clients (default), audience, scopes, forward Authorization
    const prompter = new ScriptedPrompter(["", "chat_agent", "", "jwt", "", "", "", "openid", true]);
    const agent = await configure({}, depsFor(dir, { prompter }));
    expect(prompter.asked).toEqual([
      "Entrypoint (the agent's main .py/.ts/.js file)",
      "Agent name",
      "Server protocol: what does the agent serve?",
      "Inbound auth: how do callers authenticate?",
      "OIDC discovery URL (https://…/.well-known/openid-configuration)",
      "Allowed client IDs (Cognito: the app client ID) (comma-separated; Enter for none, - to clear)",
      "Allowed audiences (aud claim) (comma-separated; Enter for none)",
      "Allowed scopes (comma-separated; Enter for none)",
      "Forward the caller's Authorization header to the agent, so it can read the JWT's claims (user, scopes)?",
    ]);
    expect(agent).toMatchObject({
      name: "chat_agent",
      entrypoint: "main.py",
      protocol: "HTTP",
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl, allowedClients: ["client123"], allowedScopes: ["openid"] } },
      requestHeaderAllowlist: ["Authorization"],
    });
  });

  it("asks again until the authorizer has a client, audience or scope; declining Authorization is respected", async () => {
    const dir = await project();
    const prompter = new ScriptedPrompter(["MCP", "jwt", discoveryUrl, "", "", "", "c1, c2", "", "", false, "us-east-1"]);
    const deps = depsFor(dir, { prompter });
    const agent = await configure({ entrypoint: "agent.py", name: "a" }, deps);
    expect(deps.output.warnings).toContain("A JWT authorizer needs at least one allowed client ID, audience or scope.");
    expect(agent.authorizerConfiguration?.customJWTAuthorizer.allowedClients).toEqual(["c1", "c2"]);
    expect(agent.requestHeaderAllowlist).toEqual([]);
    expect(agent.region).toBe("us-east-1");
    expect(agent.protocol).toBe("MCP");
  });
});
