/**
 * `configure` and the CLI's global behaviour, through the built binary (bin/agentcore-ts -> dist/):
 * exit codes, --json, NO_COLOR, error format, a broken .agentcore.json left untouched.
 */
import { execFileSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, freePort, REPO_ROOT, runCli, tempDir, testEnv } from "../support/cli.js";
import { type DiscoveryServer, startDiscoveryServer, writeProject } from "../support/project.js";

let issuer: DiscoveryServer;
let discoveryUrl: string;

beforeAll(async () => {
  issuer = await startDiscoveryServer();
  discoveryUrl = issuer.url("us-east-1_Pool");
});

afterAll(() => issuer.close());

const project = (files: Record<string, string> = { "agent.py": "", "requirements.txt": "bedrock-agentcore\n" }) => writeProject(files);

const ESC = "\u001b";

const listing = async (dir: string) => (await fsp.readdir(dir)).sort();
/** [major, minor, patch] of a ">=20.19" style range. */
const versionOf = (range: string) => (/(\d+)\.(\d+)(?:\.(\d+))?/.exec(range) ?? []).slice(1).map((part) => Number(part ?? 0));

describe("agentcore-ts configure (binary)", () => {
  it("after cognito setup, `configure --entrypoint agent.py --non-interactive` writes a JWT agent, the Dockerfile and .dockerignore", async () => {
    const dir = await project();
    const cognito = { region: "us-east-1", userPoolId: "us-east-1_Pool", clientId: "appclient1", username: "testuser", discoveryUrl };
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify({ version: 1, agents: {}, cognito }, null, 2));
    const result = await runCli(["configure", "--entrypoint", "agent.py", "--non-interactive"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✔ Wrote Dockerfile/);
    expect(result.stdout).toMatch(/Added Authorization to the request header allowlist/);
    expect(result.stdout).toMatch(/agentcore-ts launch/);
    const config = JSON.parse(await fsp.readFile(path.join(dir, ".agentcore.json"), "utf8"));
    expect(config.defaultAgent).toBe("agent");
    expect(config.agents.agent.authorizerConfiguration).toEqual({ customJWTAuthorizer: { discoveryUrl, allowedClients: ["appclient1"] } });
    expect(config.agents.agent.requestHeaderAllowlist).toEqual(["Authorization"]);
    expect(await listing(dir)).toEqual([".agentcore.json", ".dockerignore", "Dockerfile", "agent.py", "requirements.txt"]);
  });

  it("after `cognito setup --local`, configure checks the embedded Cognito's discovery document (started on demand, stopped after)", async () => {
    const dir = await project();
    const env = testEnv({ AGENTCORE_TS_COGNITO_PORT: String(await freePort()) });
    const setup = await runCli(["cognito", "setup", "--local", "--non-interactive"], { cwd: dir, env, timeoutMs: 60_000 });
    expect(setup.code, setup.stderr).toBe(0);
    const cognito = JSON.parse(await fsp.readFile(path.join(dir, ".agentcore.json"), "utf8")).cognito;
    const result = await runCli(["configure", "--entrypoint", "agent.py", "--non-interactive"], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`✔ Discovery document ${cognito.discoveryUrl}`);
    expect(result.stdout).toMatch(/AgentCore Runtime in AWS cannot reach it/);
    const agent = JSON.parse(await fsp.readFile(path.join(dir, ".agentcore.json"), "utf8")).agents.agent;
    expect(agent.authorizerConfiguration).toEqual({
      customJWTAuthorizer: { discoveryUrl: cognito.discoveryUrl, allowedClients: [cognito.clientId] },
    });
    // The on-demand server exits once configure released it (allow it a moment).
    let status = await runCli(["cognito", "local", "status"], { cwd: dir, env });
    for (let i = 0; i < 10 && !/not running/.test(status.stdout); i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      status = await runCli(["cognito", "local", "status"], { cwd: dir, env });
    }
    expect(status.stdout).toMatch(/not running/);
  });

  it("--json prints exactly one JSON document: the agent config (and the global --region works after the command)", async () => {
    const dir = await project();
    const result = await runCli(
      ["configure", "-e", "agent.py", "--discovery-url", discoveryUrl, "--allowed-clients", "a, b", "--json", "--region", "eu-central-1"],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      name: "agent",
      region: "eu-central-1",
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl, allowedClients: ["a", "b"] } },
      requestHeaderAllowlist: ["Authorization"],
    });
  });

  it("--json on failure prints one JSON error document and exits non-zero", async () => {
    const dir = await project();
    const result = await runCli(["configure", "-e", "agent.py", "--name", "bad-name", "--json"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: "InvalidAgentName",
      message: expect.stringMatching(/"bad-name" is not a valid agent name/),
    });
  });

  it.each([
    ["an invalid name", ["--name", "9lives"], /"9lives" is not a valid agent name/, /--name/],
    [
      "an invalid discovery URL",
      ["--discovery-url", "https://example.com/oidc", "--allowed-clients", "c"],
      /must end with \/\.well-known\/openid-configuration/,
      /--discovery-url/,
    ],
    ["bad authorizer JSON", ["--authorizer-config", "{customJWTAuthorizer:"], /--authorizer-config is not valid JSON/, /null for IAM/],
    [
      "an unreachable discovery URL",
      ["--discovery-url", "https://127.0.0.1:1/.well-known/openid-configuration", "--allowed-clients", "c"],
      /Cannot reach the discovery URL https:\/\/127\.0\.0\.1:1\//,
      /--skip-discovery-check/,
    ],
  ])("%s: one sentence and a hint, no stack, exit 1, nothing written", async (_, flags, message, hint) => {
    const dir = await project();
    const result = await runCli(["configure", "-e", "agent.py", ...flags], { cwd: dir });
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toMatch(/^✖ [^\n]+\.$/);
    expect(lines[1]).toMatch(/^ {2}hint: /);
    expect(lines[1]).toMatch(hint);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Nothing claims a change that was not made (e.g. "Added Authorization to the request header allowlist").
    expect(result.stdout).toBe("");
    expect(await listing(dir)).toEqual(["agent.py", "requirements.txt"]);
  });

  it("a missing entrypoint file: nothing written", async () => {
    const dir = await project({ "requirements.txt": "" });
    const result = await runCli(["configure", "-e", "agent.py", "--authorizer-config", "null"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The entrypoint agent.py does not exist/);
    expect(await listing(dir)).toEqual(["requirements.txt"]);
  });

  it("--verbose adds the stack", async () => {
    const dir = await project();
    const result = await runCli(["configure", "-e", "agent.py", "--name", "9lives", "--verbose"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it("a broken .agentcore.json is named with its field path and left byte-identical", async () => {
    const dir = await project();
    const file = path.join(dir, ".agentcore.json");
    const broken = `{"version": 1, "agents": {"agent": {"name": "agent", "entrypoint": "agent.py", "language": "python",\n  "authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "https://x.example.com/oidc", "allowedClients": ["c"]}}}}}\n`;
    await fsp.writeFile(file, broken);
    const result = await runCli(["configure", "-e", "agent.py", "--authorizer-config", "null", "--force"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/agents\.agent\.authorizerConfiguration\.customJWTAuthorizer\.discoveryUrl: discovery URL/);
    expect(result.stderr).toMatch(/hint: .*the file was not changed/);
    // Re-running configure cannot help: it reads (and refuses) the same file.
    expect(result.stderr).not.toMatch(/re-run/);
    expect(await fsp.readFile(file, "utf8")).toBe(broken);
    expect(await listing(dir)).toEqual([".agentcore.json", "agent.py", "requirements.txt"]);
  });

  it("keeps an existing Dockerfile and says so; --force overwrites it", async () => {
    const dir = await project();
    await fsp.writeFile(path.join(dir, "Dockerfile"), "FROM scratch\n");
    const kept = await runCli(["configure", "-e", "agent.py", "--authorizer-config", "null"], { cwd: dir });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/Kept the existing Dockerfile/);
    expect(await fsp.readFile(path.join(dir, "Dockerfile"), "utf8")).toBe("FROM scratch\n");
    const forced = await runCli(["configure", "-e", "agent.py", "--authorizer-config", "null", "--force"], { cwd: dir });
    expect(forced.stdout).toMatch(/Overwrote Dockerfile \(--force\)/);
    expect(await fsp.readFile(path.join(dir, "Dockerfile"), "utf8")).toMatch(/FROM --platform=linux\/arm64/);
  });
});

describe("global CLI behaviour (binary)", () => {
  it("exits 2 for an unknown flag, naming it", async () => {
    const result = await runCli(["configure", "--entrypiont", "agent.py"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--entrypiont'/);
  });

  it("exits 2 for an unknown command", async () => {
    const result = await runCli(["configur"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'configur'/);
  });

  it("exits 2 when a required value is missing without prompts, naming the flag", async () => {
    const dir = await project({ "README.md": "" });
    const result = await runCli(["configure", "--non-interactive"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Missing a required value: Entrypoint/);
    expect(result.stderr).toMatch(/hint: Pass --entrypoint/);
    expect(await listing(dir)).toEqual(["README.md"]);
  });

  it("exits 2 when a JWT authorizer has no clients, audience or scopes, naming the flags", async () => {
    const dir = await project();
    const result = await runCli(["configure", "-e", "agent.py", "--discovery-url", discoveryUrl], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--allowed-clients/);
  });

  it("stdin that is not a terminal never prompts (no --non-interactive needed)", async () => {
    const dir = await project({ "README.md": "" });
    const result = await runCli(["configure"], { cwd: dir, input: "agent.py\n" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Pass --entrypoint/);
  });

  it("honours NO_COLOR (and colours are really there without it)", async () => {
    const dir = await project();
    const args = ["configure", "-e", "agent.py", "--name", "9lives"];
    const plain = await runCli(args, { cwd: dir, env: testEnv({ NO_COLOR: "1", FORCE_COLOR: "1" }) });
    expect(plain.stderr).toMatch(/not a valid agent name/);
    expect(plain.stdout + plain.stderr).not.toContain(ESC);
    const coloured = await runCli(args, { cwd: dir, env: testEnv({ NO_COLOR: undefined, FORCE_COLOR: "1" }) });
    expect(coloured.stderr).toContain(ESC);
    const ok = await runCli(["configure", "-e", "agent.py", "--authorizer-config", "null"], {
      cwd: dir,
      env: testEnv({ NO_COLOR: "1", FORCE_COLOR: "1" }),
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(ESC);
  });

  it("global flags work before and after the command", async () => {
    const dir = tempDir();
    for (const args of [
      ["--json", "status"],
      ["status", "--json"],
      ["--json", "token", "show"],
      ["token", "show", "--json"],
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, args.join(" ")).toBe(1);
      expect(JSON.parse(result.stdout), args.join(" ")).toHaveProperty("error");
    }
    const project = await writeProject({ "agent.py": "" });
    for (const args of [
      ["--region", "eu-west-3", "configure"],
      ["configure", "--region", "eu-west-3"],
    ]) {
      const result = await runCli([...args, "-e", "agent.py", "--authorizer-config", "null", "--json", "--force"], { cwd: project });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).region).toBe("eu-west-3");
    }
  });

  it("--json with a usage error still prints one JSON document (exit 2)", async () => {
    const result = await runCli(["status", "--json", "--bogus"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: "UsageError",
      message: "unknown option '--bogus'",
      hint: "Run with --help for usage.",
    });
    expect(result.stderr).toMatch(/unknown option '--bogus'/);
  });

  it("the package's bin is an executable node script (npm link, npx)", async () => {
    const pkg = JSON.parse(await fsp.readFile(path.join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.bin).toEqual({ "agentcore-ts": "bin/agentcore-ts" });
    expect(pkg.scripts.prepare).toMatch(/build/);
    expect((await fsp.readFile(BIN, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
    // The mode git records is what a fresh clone gets.
    const staged = execFileSync("git", ["ls-files", "-s", "bin/agentcore-ts"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(staged).toMatch(/^100755 /);
    const version = execFileSync(BIN, ["--version"], { encoding: "utf8" });
    expect(version.trim()).toBe(pkg.version);
  });

  it("the engines floor (Node 20 line) is one every runtime dependency supports", async () => {
    const lock = JSON.parse(await fsp.readFile(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
    const floor = versionOf(JSON.parse(await fsp.readFile(path.join(REPO_ROOT, "package.json"), "utf8")).engines.node);
    expect(floor[0]).toBe(20);
    const tooNew = Object.entries(lock.packages as Record<string, { dev?: boolean; engines?: { node?: string } }>)
      .filter(([name, entry]) => name !== "" && !entry.dev && entry.engines?.node)
      // The lowest version a range allows on the Node 20 line ("^20.17.0", ">=20.18.1", ">= 20.19.0"), if any.
      .map(([name, entry]) => ({
        name,
        needs: entry
          .engines!.node!.split("||")
          .map((range) => /^\s*(?:>=|\^)\s*20\.(\d+)(?:\.(\d+))?/.exec(range))
          .find(Boolean),
      }))
      .filter(
        ({ needs }) => needs && (Number(needs[1]) > floor[1]! || (Number(needs[1]) === floor[1] && Number(needs[2] ?? 0) > floor[2]!)),
      )
      .map(({ name, needs }) => `${name} needs 20.${needs![1]}.${needs![2] ?? 0}`);
    expect(tooNew).toEqual([]);
  });

  it("--help and configure --help exit 0 with examples", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/configure/);
    const help = await runCli(["configure", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of [
      "--entrypoint",
      "--name",
      "--execution-role",
      "--ecr",
      "--requirements-file",
      "--discovery-url",
      "--allowed-clients",
      "--allowed-audience",
      "--allowed-scopes",
      "--authorizer-config",
      "--request-header-allowlist",
      "--skip-discovery-check",
      "--force",
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toMatch(/Examples:\n {2}\$ agentcore-ts configure/);
  });
});
