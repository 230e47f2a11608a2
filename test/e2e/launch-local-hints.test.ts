/**
 * `launch --local` reading the agent's own log when it dies before answering /ping: an agent that
 * ignores $PORT and finds its hard-coded port taken, and a missing dependency (Node and Python), each
 * get a hint with the fix. Real agent processes; the built binary.
 */

import { promises as fsp } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../local/gateway-helpers.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";

const FAKE_DOCKER_DIR = path.resolve(FIXTURES, "../fake-docker");
let held: Server;
let heldPort: number;

beforeAll(async () => {
  // Stands in for whatever holds 8080 on a developer's machine.
  held = createServer((_req, res) => res.end());
  await new Promise<void>((resolve) => held.listen(0, "127.0.0.1", resolve));
  heldPort = (held.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => held.close(() => resolve())));

async function project(files: Record<string, string>, agent: Record<string, unknown>): Promise<string> {
  const dir = tempDir("agentcore-ts-hints-");
  for (const [name, text] of Object.entries(files)) await fsp.writeFile(path.join(dir, name), text);
  const config = { version: 1, defaultAgent: "hint_agent", agents: { hint_agent: { name: "hint_agent", ...agent } } };
  await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(config));
  return dir;
}

const launchLocal = (cwd: string) =>
  runCli(["launch", "--local", "--port", "0", "--agent-port", "0"], {
    cwd,
    env: testEnv({ PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`, FAKE_DOCKER_MODE: "unreachable" }),
  });

describe("launch --local: hints from the agent's log", () => {
  it("an agent that ignores PORT and finds its own port taken: says so and how to fix it", async () => {
    const agent = `import http from "node:http";\nhttp.createServer((q, s) => s.end()).listen(${heldPort}, "127.0.0.1");\n`;
    const dir = await project({ "agent.mjs": agent }, { entrypoint: "agent.mjs", language: "node" });
    const result = await launchLocal(dir);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`The agent ignored PORT=\\d+ and tried to listen on ${heldPort}, which another program holds`),
    );
    expect(result.stderr).toMatch(
      /Free port \d+, or make the agent listen on \$PORT: in Python `app\.run\(port=int\(os\.environ\.get\("PORT"/,
    );
  });

  it("a missing Node package: names node and `npm install`", async () => {
    const dir = await project(
      { "agent.mjs": 'import "left-pad-not-installed";\n', "package.json": '{"name":"x","type":"module"}' },
      { entrypoint: "agent.mjs", language: "node", requirementsFile: "package.json" },
    );
    const result = await launchLocal(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /The agent ran with node [\d.]+ \(.*\), which finds no package "left-pad-not-installed": run `npm install` in the project/,
    );
  });

  it("a Python module its requirements do not declare: names the interpreter that ran and what to add", async () => {
    // Declared requirements are checked before the start (launch-deps.test.ts); this import is not among them.
    const dir = await project(
      { "agent.py": "import surely_not_installed_mod\n", "requirements.txt": "" },
      { entrypoint: "agent.py", language: "python", requirementsFile: "requirements.txt" },
    );
    const result = await launchLocal(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /The agent ran with \/\S*python3 \(the project has no \.venv\), which has no module "surely_not_installed_mod": add the package that provides "surely_not_installed_mod" to requirements\.txt and run `agentcore-ts launch --local --install`, which installs requirements\.txt into a new \.venv in the project \(never into \/\S*python3\)/,
    );
  });
});
