/**
 * examples/python-mcp: its tools (tools.py, plain Python) run with python3, and server.py compiles. FastMCP
 * itself cannot be installed here (no PyPI, no Debian package), so the server is not started: see its README.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const DIR = path.join(REPO_ROOT, "examples", "python-mcp");
const run = promisify(execFile);

const SCRIPT = `
import base64, json, tools
token = "e30." + base64.urlsafe_b64encode(json.dumps({"username": "bob", "client_id": "app1", "iss": "https://i"}).encode()).decode().rstrip("=") + ".sig"
try:
    tools.calculate("divide", 1, 0)
    divide = "no error"
except ValueError as error:
    divide = str(error)
print(json.dumps({
    "multiply": tools.calculate("multiply", 6, 7),
    "divide": divide,
    "same_weather": tools.weather("Paris")["condition"] == tools.weather(" paris ")["condition"],
    "whoami": tools.whoami("Bearer " + token),
    "anonymous": tools.whoami(None)["authenticated"],
    "not_jwt": tools.whoami("Bearer nope")["note"],
}))
`;

describe("examples/python-mcp", () => {
  it("has deterministic tools; whoami decodes the forwarded bearer token", async () => {
    const { stdout } = await run("python3", ["-c", SCRIPT], { cwd: DIR, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
    expect(JSON.parse(stdout)).toEqual({
      multiply: 42,
      divide: "cannot divide by zero",
      same_weather: true,
      whoami: { authenticated: true, username: "bob", clientId: "app1", issuer: "https://i", scope: null },
      anonymous: false,
      not_jwt: "the Authorization header does not hold a JWT",
    });
  });

  it("server.py and tools.py compile", async () => {
    await run("python3", ["-m", "py_compile", "server.py", "tools.py"], {
      cwd: DIR,
      env: { ...process.env, PYTHONPYCACHEPREFIX: "/tmp/agentcore-ts-pycache" },
    });
  });
});
