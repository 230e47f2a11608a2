/**
 * `package` end to end (the BUILT CLI): the artifact must really run. The Node example's zip is
 * unzipped into an empty directory and started with plain `node` and PORT; a Python agent's zip
 * carries a tiny wheel that the test builds and serves from a loopback package index (the
 * registries here cannot serve PyPI), and runs with plain `python3`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, promises as fsp } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, REPO_ROOT, runCli, tempDir, testEnv } from "../support/cli.js";
import { startTinyIndex, TINYDEP_AGENT } from "../support/python-index.js";

interface PackageDoc {
  agent: string;
  path: string;
  bytes: number;
  files: number;
  sha256: string;
  runtime: string;
  entryPoint: string[];
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

async function unzipInto(zip: string, dir: string): Promise<void> {
  for (const [name, data] of Object.entries(unzipSync(await fsp.readFile(zip)))) {
    if (name.endsWith("/")) continue;
    await fsp.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fsp.writeFile(path.join(dir, name), data);
  }
}

/** Starts the artifact as the runtime would (entry file from the zip's root, PORT set) and waits for /ping. */
async function startArtifact(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, probe = "/ping"): Promise<string> {
  const port = await freePort();
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the artifact exited (${child.exitCode}):\n${log}`);
    try {
      const ping = await fetch(`${base}${probe}`);
      if (ping.ok || probe !== "/ping") return base;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the artifact never answered /ping:\n${log}`);
}

async function packageJson(dir: string, env: NodeJS.ProcessEnv, out: string): Promise<PackageDoc> {
  const result = await runCli(["package", "--json", "--out", out], { cwd: dir, env, timeoutMs: 120_000 });
  expect(result.stderr).not.toMatch(/✖/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as PackageDoc;
}

describe("package: the Node example", () => {
  it("bundles it into a zip that runs with plain node: /ping is Healthy and /invocations answers; a second run gives the same bytes", async () => {
    const dir = tempDir();
    const example = path.join(REPO_ROOT, "examples/typescript");
    await fsp.cp(path.join(example, "src"), path.join(dir, "src"), { recursive: true });
    await fsp.copyFile(path.join(example, "package.json"), path.join(dir, "package.json"));
    // The example's dependencies are installed at the repository root.
    await fsp.symlink(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    const env = testEnv();
    const configured = await runCli(
      ["configure", "-e", "src/agent.ts", "--deploy", "code", "--authorizer-config", "null", "--non-interactive", "--json"],
      { cwd: dir, env },
    );
    expect(configured.stderr).toBe("");
    expect(JSON.parse(configured.stdout)).toMatchObject({ deploy: "code", runtime: "NODE_22" });
    await expect(fsp.stat(path.join(dir, "Dockerfile"))).rejects.toThrow();

    const out = path.join(tempDir(), "agent.zip");
    const doc = await packageJson(dir, env, out);
    expect(doc).toMatchObject({ agent: "src_agent", path: out, runtime: "NODE_22", entryPoint: ["main.js"] });
    expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.bytes).toBe((await fsp.stat(out)).size);

    const run = tempDir("agentcore-ts-unzipped-");
    await unzipInto(out, run);
    expect(await fsp.readdir(run)).toEqual(expect.arrayContaining(["main.js", "package.json", "node_modules"]));
    // What createRequire loads at run time is carried beside the bundle (aws/bedrock-agentcore-sdk-typescript#172).
    await fsp.stat(path.join(run, "node_modules/@fastify/sse/package.json"));
    const base = await startArtifact(process.execPath, ["main.js"], run, { AGENT_OFFLINE: "1" });
    expect(await (await fetch(`${base}/ping`)).json()).toMatchObject({ status: "Healthy" });
    const invoked = await fetch(`${base}/invocations`, {
      method: "POST",
      // AgentCore Runtime always sends the session header; the SDK's server refuses a call without one.
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "x-amzn-bedrock-agentcore-runtime-session-id": "package-test-session-0123456789abcdef",
      },
      body: JSON.stringify({ prompt: "What is 6 * 7?" }),
    });
    expect(invoked.status).toBe(200);
    expect(await invoked.text()).toContain("42");

    // Nothing changed: the same bytes, from the package cache; a changed source file gives a new zip.
    const cache = JSON.parse(await fsp.readFile(path.join(dir, ".agentcore-ts/cache/src_agent.node.json"), "utf8"));
    expect(cache.sha256).toBe(doc.sha256);
    expect(Object.keys(cache.inputs)).toContain(path.join(dir, "src/tools.ts"));
    const again = await packageJson(dir, env, path.join(tempDir(), "again.zip"));
    expect(again.sha256).toBe(doc.sha256);
    await fsp.appendFile(path.join(dir, "src/tools.ts"), '\nprocess.env.AGENTCORE_TS_TEST_CHANGED = "1";\n');
    const changed = await packageJson(dir, env, path.join(tempDir(), "changed.zip"));
    expect(changed.sha256).not.toBe(doc.sha256);
  }, 180_000);
});

describe("package: the MCP example", () => {
  it("bundles the MCP server into a zip that the official MCP client can use over Streamable HTTP", async () => {
    const dir = tempDir();
    const example = path.join(REPO_ROOT, "examples/typescript-mcp");
    await fsp.cp(path.join(example, "src"), path.join(dir, "src"), { recursive: true });
    await fsp.copyFile(path.join(example, "package.json"), path.join(dir, "package.json"));
    await fsp.symlink(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    const env = testEnv();
    const configured = await runCli(
      ["configure", "-e", "src/server.ts", "--deploy", "code", "--protocol", "MCP", "--authorizer-config", "null", "--non-interactive"],
      { cwd: dir, env },
    );
    expect(configured.code).toBe(0);
    const out = path.join(tempDir(), "mcp.zip");
    const doc = await packageJson(dir, env, out);
    expect(doc).toMatchObject({ runtime: "NODE_22", entryPoint: ["main.js"] });
    const run = tempDir("agentcore-ts-unzipped-");
    await unzipInto(out, run);
    const base = await startArtifact(process.execPath, ["main.js"], run, { HOST: "127.0.0.1" }, "/mcp");
    const client = new Client({ name: "agentcore-ts-package-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("calculator");
      const result = await client.callTool({ name: "calculator", arguments: { operation: "multiply", a: 6, b: 7 } });
      expect(JSON.stringify(result.content)).toContain("42");
    } finally {
      await client.close();
    }
  }, 180_000);
});

const hasPip = spawnSync("python3", ["-m", "pip", "--version"]).status === 0;

describe("package: a Python agent", () => {
  it.skipIf(!hasPip)(
    "puts its source (minus .dockerignore) and its aarch64-resolved wheels in a zip that runs with plain python3",
    async () => {
      const index = await startTinyIndex();
      try {
        const dir = tempDir();
        await fsp.writeFile(path.join(dir, "agent.py"), TINYDEP_AGENT);
        await fsp.writeFile(path.join(dir, "requirements.txt"), "tinydep==0.1.0\n");
        await fsp.writeFile(path.join(dir, ".env"), "NOT_IN_THE_ZIP=1\n");
        await fsp.writeFile(path.join(dir, "run.sh"), "#!/bin/sh\nexec python3 agent.py\n", { mode: 0o755 });
        // uv is not used here even when installed: the index variables below are pip's.
        const pathWithoutUv = (process.env.PATH ?? "")
          .split(path.delimiter)
          .filter((p) => !existsSync(path.join(p, "uv")))
          .join(path.delimiter);
        const env = testEnv({
          PATH: pathWithoutUv,
          PIP_INDEX_URL: index.url,
          PIP_TRUSTED_HOST: "127.0.0.1",
          PIP_NO_CACHE_DIR: "1",
          PIP_CONFIG_FILE: "/dev/null",
        });
        const configured = await runCli(
          [
            "configure",
            "-e",
            "agent.py",
            "--deploy",
            "code",
            "--runtime",
            "PYTHON_3_12",
            "--authorizer-config",
            "null",
            "--non-interactive",
          ],
          { cwd: dir, env },
        );
        expect(configured.code).toBe(0);
        const out = path.join(tempDir(), "py.zip");
        const doc = await packageJson(dir, env, out);
        expect(doc).toMatchObject({ runtime: "PYTHON_3_12", entryPoint: ["agent.py"] });
        const names = Object.keys(unzipSync(await fsp.readFile(out)));
        expect(names).toEqual(expect.arrayContaining(["agent.py", "requirements.txt", "run.sh", "tinydep/__init__.py"]));
        expect(names).not.toContain(".env");
        expect(names).not.toContain(".dockerignore");

        const run = tempDir("agentcore-ts-unzipped-");
        spawnSync("unzip", ["-q", out, "-d", run]);
        // Modes survive: the script stays executable.
        expect((await fsp.stat(path.join(run, "run.sh"))).mode & 0o111).not.toBe(0);
        const base = await startArtifact("python3", ["agent.py"], run, {});
        const invoked = await fetch(`${base}/invocations`, { method: "POST", body: JSON.stringify({ prompt: "hi" }) });
        expect(await invoked.json()).toEqual({ result: "hello from tinydep: hi" });
      } finally {
        await index.close();
      }
    },
    180_000,
  );
});
