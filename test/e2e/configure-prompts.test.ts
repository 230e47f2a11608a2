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

  it("Ctrl-C at a prompt exits 130 and writes nothing", async () => {
    const dir = await project({ "agent.py": "", "requirements.txt": "" });
    const cli = start(["configure"], dir);
    await cli.answer("Entrypoint", KEY.ctrlC);
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect((await fsp.readdir(dir)).sort()).toEqual(["agent.py", "requirements.txt"]);
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
