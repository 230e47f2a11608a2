/**
 * `configure` answering real prompts: the built binary on a pseudo-terminal (util-linux `script`),
 * each answer typed after its prompt appears.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../support/cli.js";
import { type DiscoveryServer, startDiscoveryServer, writeProject } from "../support/project.js";
import { KEY, type PtySession, runCliInPty } from "../support/pty.js";

let issuer: DiscoveryServer;
let discoveryUrl: string;
const sessions: PtySession[] = [];

beforeAll(async () => {
  issuer = await startDiscoveryServer();
  discoveryUrl = issuer.url("us-east-1_Pool");
});

afterEach(() => {
  for (const session of sessions.splice(0)) session.kill();
});

afterAll(() => issuer.close());

function start(args: string[], cwd: string, env = testEnv(), columns?: number): PtySession {
  const session = runCliInPty(args, { cwd, env, columns });
  sessions.push(session);
  return session;
}

const project = (files: Record<string, string>) => writeProject(files);

// ora's default spinner ("dots").
const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

const readConfig = async (dir: string) => JSON.parse(await fsp.readFile(path.join(dir, ".agentcore.json"), "utf8"));

describe("agentcore-ts configure on a terminal", () => {
  it("asks for each missing value with defaults from `cognito setup`, and saves the answers", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const cognito = { region: "us-east-1", userPoolId: "us-east-1_Pool", clientId: "appclient1", username: "testuser", discoveryUrl };
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify({ version: 1, agents: {}, cognito }));
    const cli = start(["configure"], dir);
    await cli.answer("Entrypoint", KEY.enter); // default: agent.py, found in the directory
    await cli.answer("Agent name (agent)", `support_bot${KEY.enter}`);
    await cli.answer("Server protocol", KEY.enter); // HTTP is the default
    await cli.answer("Inbound auth", KEY.enter); // JWT is the default
    await cli.answer(`OIDC discovery URL (https://…/.well-known/openid-configuration) (${discoveryUrl})`, KEY.enter);
    await cli.answer(
      "Allowed client IDs (Cognito: the app client ID) (comma-separated; Enter for none, - to clear) (appclient1)",
      KEY.enter,
    );
    await cli.answer("Allowed audiences", KEY.enter);
    await cli.answer("Allowed scopes", `openid, profile${KEY.enter}`);
    await cli.answer("Forward the caller's Authorization header", KEY.enter); // yes
    const result = await cli.done;
    expect(result.code, result.text).toBe(0);
    expect(result.text).toMatch(/Added agent "support_bot"/);
    const config = await readConfig(dir);
    expect(config.defaultAgent).toBe("support_bot");
    expect(config.agents.support_bot).toMatchObject({
      entrypoint: "agent.py",
      protocol: "HTTP",
      authorizerConfiguration: {
        customJWTAuthorizer: { discoveryUrl, allowedClients: ["appclient1"], allowedScopes: ["openid", "profile"] },
      },
      requestHeaderAllowlist: ["Authorization"],
    });
  });

  it("re-asks an invalid answer with the reason, and takes IAM when chosen", async () => {
    const dir = await project({ "main.py": "", "requirements.txt": "" });
    const cli = start(["configure", "--entrypoint", "main.py"], dir);
    await cli.answer("Agent name (main)", `9lives${KEY.enter}`);
    await cli.waitFor(/"9lives" is not a valid agent name/);
    // Clear the rejected text, then type a valid name.
    await cli.answer("", `${"\u007f".repeat(6)}lives9${KEY.enter}`);
    await cli.answer("Server protocol", `${KEY.down}${KEY.enter}`); // MCP, the second choice
    await cli.answer("Inbound auth", `${KEY.down}${KEY.enter}`);
    const result = await cli.done;
    expect(result.code, result.text).toBe(0);
    const agent = (await readConfig(dir)).agents.lives9;
    expect(agent).toMatchObject({ entrypoint: "main.py", protocol: "MCP", authorizerConfiguration: null, requestHeaderAllowlist: [] });
    // The Dockerfile serves the MCP contract's port.
    expect(await fsp.readFile(path.join(dir, "Dockerfile"), "utf8")).toMatch(/^EXPOSE 8000$/m);
    // NO_COLOR on a terminal: prompts and output carry cursor moves but no colours.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no colour escape may reach a NO_COLOR terminal.
    expect(result.raw).not.toMatch(/\u001b\[[0-9;]*m/);
  });

  it("flags given are not asked again", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const cli = start(
      ["configure", "-e", "agent.py", "-n", "flagged", "-p", "a2a", "--discovery-url", discoveryUrl, "--allowed-clients", "c1"],
      dir,
    );
    await cli.answer("Forward the caller's Authorization header", `n${KEY.enter}`);
    const result = await cli.done;
    expect(result.code, result.text).toBe(0);
    expect(result.text).not.toMatch(/Agent name|Entrypoint \(|Server protocol|Inbound auth:|OIDC discovery URL|Allowed/);
    expect((await readConfig(dir)).agents.flagged).toMatchObject({ requestHeaderAllowlist: [], protocol: "A2A" });
    // The discovery check ran with a spinner on the terminal; NO_COLOR still means no colours.
    expect(result.text).toMatch(/✔ Discovery document http/);
    expect(result.raw).toMatch(SPINNER_FRAME);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no colour escape may reach a NO_COLOR terminal.
    expect(result.raw).not.toMatch(/\u001b\[[0-9;]*m/);
  });

  it("--json on a terminal: no prompts, no spinner, only the JSON document", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const result = await start(["configure", "-e", "agent.py", "--discovery-url", discoveryUrl, "--allowed-clients", "c1", "--json"], dir)
      .done;
    expect(result.code, result.text).toBe(0);
    expect(result.raw).not.toMatch(SPINNER_FRAME);
    expect(JSON.parse(result.text)).toMatchObject({ name: "agent", requestHeaderAllowlist: ["Authorization"] });
  });

  it("CI=true on a terminal never prompts: a missing value names its flag", async () => {
    const dir = await project({ "README.md": "" });
    const result = await start(["configure"], dir, testEnv({ CI: "true" })).done;
    expect(result.code).toBe(2);
    expect(result.text).toMatch(/Pass --entrypoint/);
    expect(result.text).not.toMatch(/\? Entrypoint/);
  });

  it("a terminal that reports 0 columns gets no spinner (ora would clear lines forever) and finishes", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const result = await start(
      ["configure", "-e", "agent.py", "--discovery-url", discoveryUrl, "--allowed-clients", "c1", "--non-interactive"],
      dir,
      testEnv(),
      0,
    ).done;
    expect(result.code, result.text.slice(0, 2000)).toBe(0);
    expect(result.raw).not.toMatch(SPINNER_FRAME);
    expect(result.text).toMatch(/✔ Discovery document http/);
  });

  it("Ctrl-C at a prompt exits 130, says nothing changed, and writes nothing", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const cli = start(["configure"], dir);
    await cli.answer("Entrypoint", KEY.ctrlC);
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(result.text).toMatch(/Cancelled at the prompt: nothing was changed\./);
    expect((await fsp.readdir(dir)).sort()).toEqual(["agent.py", "requirements.txt"]);
  });

  it("Ctrl-C at a yes/no prompt says nothing changed", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const cli = start(
      ["configure", "-e", "agent.py", "-n", "agent", "-p", "http", "--discovery-url", discoveryUrl, "--allowed-clients", "c1"],
      dir,
    );
    await cli.answer("Forward the caller's Authorization header", KEY.ctrlC);
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(result.text).toMatch(/Cancelled at the prompt: nothing was changed\./);
    expect((await fsp.readdir(dir)).sort()).toEqual(["agent.py", "requirements.txt"]);
  });

  it("checks each answer where it is typed: entrypoint type and place, scopes, an unreachable discovery URL", async () => {
    const outside = await project({ "elsewhere.py": "" });
    const dir = await project({ "agent.py": "", "notes.txt": "", "requirements.txt": "" });
    const cli = start(["configure"], dir);
    await cli.answer("Entrypoint", `notes.txt${KEY.enter}`);
    await cli.waitFor(/Cannot tell the language of the entrypoint "notes\.txt"/);
    await cli.answer("", `${"\u007f".repeat(9)}${path.join(outside, "elsewhere.py")}${KEY.enter}`);
    await cli.waitFor(/is outside the project directory/);
    await cli.answer("", `${"\u007f".repeat(200)}agent.py${KEY.enter}`);
    await cli.answer("Agent name", KEY.enter);
    await cli.answer("Server protocol", KEY.enter);
    await cli.answer("Inbound auth", KEY.enter);
    const unreachable = "http://127.0.0.1:9/pool/.well-known/openid-configuration";
    await cli.answer("OIDC discovery URL", `${unreachable}${KEY.enter}`);
    await cli.answer(/What now\?/, KEY.enter); // Enter the URL again (the default)
    await cli.answer("OIDC discovery URL", `${"\u007f".repeat(unreachable.length)}${unreachable}${KEY.enter}`);
    await cli.answer(/What now\?/, `${KEY.down}${KEY.enter}`); // keep it without checking
    await cli.answer("Allowed client IDs", `c1${KEY.enter}`);
    await cli.answer("Allowed audiences", KEY.enter);
    await cli.answer("Allowed scopes", `openid, bad"scope${KEY.enter}`);
    await cli.waitFor(/Invalid scope "bad"scope"/);
    await cli.answer("", `${"\u007f".repeat(', bad"scope'.length)}${KEY.enter}`);
    await cli.answer("Forward the caller's Authorization header", KEY.enter);
    const result = await cli.done;
    expect(result.code, result.text).toBe(0);
    expect((await readConfig(dir)).agents.agent).toMatchObject({
      entrypoint: "agent.py",
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: unreachable, allowedClients: ["c1"], allowedScopes: ["openid"] } },
    });
  });

  it("switching an agent from JWT to IAM at the prompt asks first and says the authorizer was dropped", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const jwt = { discoveryUrl, allowedClients: ["c1"] };
    const agent = { name: "agent", entrypoint: "agent.py", language: "python", authorizerConfiguration: { customJWTAuthorizer: jwt } };
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify({ version: 1, defaultAgent: "agent", agents: { agent } }));
    const declined = start(["configure", "-e", "agent.py"], dir);
    await declined.answer("Agent name (agent)", KEY.enter);
    await declined.answer("Inbound auth", `${KEY.down}${KEY.enter}`);
    await declined.answer(/Drop that authorizer and switch it to IAM \(SigV4\)\?/, `n${KEY.enter}`);
    await declined.answer("OIDC discovery URL", KEY.enter);
    await declined.answer("Allowed client IDs", KEY.enter);
    await declined.answer("Allowed audiences", KEY.enter);
    await declined.answer("Allowed scopes", KEY.enter);
    await declined.answer("Forward the caller's Authorization header", `n${KEY.enter}`);
    expect((await declined.done).code).toBe(0);
    expect((await readConfig(dir)).agents.agent.authorizerConfiguration).toEqual({ customJWTAuthorizer: jwt });

    const accepted = start(["configure", "-e", "agent.py"], dir);
    await accepted.answer("Agent name (agent)", KEY.enter);
    await accepted.answer("Inbound auth", `${KEY.down}${KEY.enter}`);
    await accepted.answer(/Drop that authorizer/, `y${KEY.enter}`);
    const result = await accepted.done;
    expect(result.code, result.text).toBe(0);
    expect(result.text).toMatch(/Dropped the JWT authorizer \(http.*\): agent agent now uses IAM \(SigV4\) inbound auth/);
    expect((await readConfig(dir)).agents.agent.authorizerConfiguration).toBeNull();
  });

  it("Ctrl-D (end of input) at a prompt does not pass for success: exit 130, a message, nothing written", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const cli = start(["configure"], dir);
    await cli.answer("Entrypoint", "\u0004");
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(result.text).toMatch(/input ended/);
    expect((await fsp.readdir(dir)).sort()).toEqual(["agent.py", "requirements.txt"]);
  });
});
