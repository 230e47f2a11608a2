/**
 * dependencyGap (src/local/dependencies.ts) on real manifests: the Python check run by the real python3
 * (requirements.txt with includes, options, markers and specifiers; pyproject.toml), and the Node check's
 * resolution through parent node_modules and its lockfile comparison. launch-deps.test.ts drives the same
 * through the CLI with real installs.
 */
import { spawnSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dependencyGap } from "../../src/local/dependencies.js";
import { REPO_ROOT, tempDir } from "../support/cli.js";
import { writeProject } from "../support/project.js";

const hasPip = spawnSync("python3", ["-m", "pip", "--version"]).status === 0;
const env = { PATH: process.env.PATH };

describe.skipIf(!hasPip)("dependencyGap: Python (python3 with pip)", () => {
  const python = (dir: string, requirementsFile: string) =>
    dependencyGap({ projectDir: dir, entrypoint: "agent.py", language: "python", requirementsFile }, env);

  it("reads includes, skips options, evaluates markers and specifiers, normalises names", async () => {
    const dir = await writeProject({
      "agent.py": "",
      "base.txt": "tinydep-not-installed>=0.1  # the only missing one\n",
      "requirements.txt": [
        "# comment",
        "-r base.txt",
        "--index-url http://127.0.0.1:9/simple/",
        "-e ./local-package",
        "./wheels/x.whl",
        "https://example.invalid/y.whl",
        'windows-only-thing ; sys_platform == "win32"',
        "SetupTools>=1 \\",
        "  --hash=sha256:0000",
        "pip>=999",
        "",
      ].join("\n"),
    });
    const gap = await python(dir, "requirements.txt");
    expect(gap?.problems).toEqual([
      '"tinydep-not-installed>=0.1" is missing',
      expect.stringMatching(/^"pip>=999" is not met \(pip [\d.]+ is installed\)$/),
    ]);
    expect(gap?.steps.map((s) => s.display)).toEqual(["python3 -m venv .venv", ".venv/bin/python -m pip install -r requirements.txt"]);
    expect(gap?.createsVenv).toBe(path.join(dir, ".venv"));
  });

  it("pyproject.toml: [project].dependencies, installed by name (pip reads no pyproject as requirements)", async () => {
    const dir = await writeProject({
      "agent.py": "",
      "pyproject.toml":
        '[project]\nname = "x"\nversion = "0"\ndependencies = ["pip", "tinydep-not-installed[extra]>=1 ; python_version >= \'3\'"]\n',
    });
    const gap = await python(dir, "pyproject.toml");
    expect(gap?.manifest).toBe("pyproject.toml");
    expect(gap?.problems).toEqual([`"tinydep-not-installed[extra]>=1 ; python_version >= '3'" is missing`]);
    expect(gap?.steps.at(-1)?.display).toBe(
      `.venv/bin/python -m pip install pip 'tinydep-not-installed[extra]>=1 ; python_version >= '\\''3'\\'''`,
    );
  });

  it("everything installed, or nothing declared: no gap", async () => {
    expect(await python(await writeProject({ "agent.py": "", "requirements.txt": "pip\n" }), "requirements.txt")).toBeUndefined();
    expect(await python(await writeProject({ "agent.py": "" }), "requirements.txt")).toBeUndefined();
  });

  it("a pyproject.toml that is no TOML: an error with the interpreter's words", async () => {
    const dir = await writeProject({ "agent.py": "", "pyproject.toml": "[project\n" });
    await expect(python(dir, "pyproject.toml")).rejects.toMatchObject({
      code: "DependencyCheckFailed",
      hint: expect.stringMatching(/TOMLDecodeError|Expected/),
    });
  });
});

describe("dependencyGap: Node", () => {
  const node = (dir: string, entrypoint = "agent.js") => dependencyGap({ projectDir: dir, entrypoint, language: "node" }, env);

  it("resolves dependencies the way Node does, through parent node_modules (the example agent in this repository)", async () => {
    expect(await node(path.join(REPO_ROOT, "examples", "typescript"), "src/agent.ts")).toBeUndefined();
  });

  it("lockfile newer than the installed tree: stale only when it lists what the tree lacks (optional ones aside); npm ci only for a lockfile made from this package.json", async () => {
    const dir = tempDir("agentcore-ts-node-deps-");
    await fsp.writeFile(path.join(dir, "package.json"), JSON.stringify({ dependencies: { a: "1.0.0" } }));
    await fsp.mkdir(path.join(dir, "node_modules", "a"), { recursive: true });
    await fsp.writeFile(path.join(dir, "node_modules", "a", "package.json"), '{"name":"a","version":"1.0.0"}');
    const installed = { "node_modules/a": { version: "1.0.0" } };
    await fsp.writeFile(path.join(dir, "node_modules", ".package-lock.json"), JSON.stringify({ packages: installed }));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await fsp.utimes(path.join(dir, "node_modules", ".package-lock.json"), anHourAgo, anHourAgo);
    const lock = (packages: Record<string, unknown>) => fsp.writeFile(path.join(dir, "package-lock.json"), JSON.stringify({ packages }));

    // Touched by a checkout, same content; a platform package npm skipped is no gap either.
    const root = { dependencies: { a: "1.0.0" } };
    await lock({ "": root, ...installed, "node_modules/@x/darwin-arm64": { version: "1.0.0", optional: true } });
    expect(await node(dir)).toBeUndefined();

    await lock({ "": root, "node_modules/a": { version: "1.0.1" } });
    expect((await node(dir))?.problems).toEqual(["node_modules is older than package-lock.json and does not hold what it lists"]);
    expect((await node(dir))?.steps.map((s) => s.display)).toEqual(["npm ci --no-audit --no-fund"]);

    // A lockfile made from another package.json: npm ci would refuse it, npm install updates it.
    await lock({ "": { dependencies: { a: "0.9.0" } }, "node_modules/a": { version: "1.0.1" } });
    expect((await node(dir))?.steps.map((s) => s.display)).toEqual(["npm install --no-audit --no-fund"]);
  });
});
