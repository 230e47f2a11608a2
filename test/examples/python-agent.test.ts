/**
 * The Python Strands example cannot run here (no PyPI), so: a syntax check with py_compile, and a run of its
 * entrypoint against small stand-ins for bedrock_agentcore / strands / strands_tools, which checks the wiring
 * (@app.entrypoint(payload, context)) and the caller note read from context.request_headers.
 */
import { spawnSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "../support/cli.js";

const AGENT_PY = path.join(REPO_ROOT, "examples", "python-strands", "agent.py");
const hasPython = spawnSync("python3", ["--version"]).status === 0;

const STUBS: Record<string, string> = {
  "bedrock_agentcore/__init__.py": "",
  "bedrock_agentcore/runtime.py": `
class BedrockAgentCoreApp:
    def entrypoint(self, fn):
        self.handler = fn
        return fn
    # The SDK's signature: run(self, port=8080, host=None, **kwargs); prints where it would listen.
    def run(self, port=8080, host=None, **kwargs):
        print("listening on port", port)
`,
  "strands/__init__.py": `
class _Result:
    def __init__(self, text):
        self.message = {"role": "assistant", "content": [{"text": text}]}
class Agent:
    def __init__(self, model, tools, system_prompt):
        self.tools = tools
    def __call__(self, prompt):
        return _Result("echo: " + prompt)
def tool(fn):
    return fn
`,
  "strands/models.py": `
class BedrockModel:
    def __init__(self, model_id, region_name):
        self.model_id = model_id
`,
  "strands_tools/__init__.py": "def calculator(expression):\n    return expression\n",
};

const DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
import agent
class Context:
    def __init__(self, headers):
        self.session_id = "s-1"
        self.request_headers = headers
token = sys.argv[2]
print(json.dumps({
    "handler": agent.app.handler.__name__,
    "tools": [t.__name__ for t in agent.agent.tools],
    "weather": agent.weather(),
    "with_jwt": agent.app.handler({"prompt": "How is the weather now?"}, Context({"authorization": "Bearer " + token})),
    "not_jwt": agent.app.handler({"prompt": "hi"}, Context({"Authorization": "Bearer opaque"})),
    "no_headers": agent.app.handler({"prompt": "hi"}, Context(None)),
}))
`;

describe.skipIf(!hasPython)("Python Strands example agent", () => {
  it("compiles (python3 -m py_compile)", () => {
    const dir = tempDir();
    const result = spawnSync("python3", ["-m", "py_compile", AGENT_PY], {
      encoding: "utf8",
      env: { ...process.env, PYTHONPYCACHEPREFIX: dir },
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  async function stubs(): Promise<string> {
    const dir = tempDir();
    for (const [file, source] of Object.entries(STUBS)) {
      await fsp.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await fsp.writeFile(path.join(dir, file), source);
    }
    return dir;
  }

  it("listens on $PORT (launch --local gives another port when 8080 is busy), else 8080", async () => {
    const dir = await stubs();
    const run = (env: Record<string, string>) =>
      spawnSync("python3", [AGENT_PY], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: "1", ...env },
      });
    expect(run({ PORT: "8123" }).stdout).toBe("listening on port 8123\n");
    expect(run({}).stdout).toBe("listening on port 8080\n");
  });

  it("wires the entrypoint and notes the caller from the forwarded JWT", async () => {
    const dir = await stubs();
    const token = new UnsecuredJWT({ username: "testuser", client_id: "client123", token_use: "access" }).encode();
    const result = spawnSync("python3", ["-c", DRIVER, path.dirname(AGENT_PY), token], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(result.stderr).toBe("");
    const out = JSON.parse(result.stdout);
    expect(out.handler).toBe("strands_agent_bedrock");
    expect(out.tools).toEqual(["calculator", "weather"]);
    expect(out.weather).toMatch(/sunny/);
    expect(out.with_jwt).toBe('echo: How is the weather now?\n\n(Called by user "testuser" via app client "client123".)');
    expect(out.not_jwt).toMatch(/not a JWT/);
    expect(out.no_headers).toBe("echo: hi");
  });
});
