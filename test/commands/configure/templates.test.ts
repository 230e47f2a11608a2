import { describe, expect, it } from "vitest";
import {
  generatedFor,
  parseJsonc,
  planNodeDockerfile,
  pythonCommand,
  readTemplate,
  renderNodeDockerfile,
  renderPythonDockerfile,
  renderTemplate,
} from "../../../src/commands/configure/templates.js";
import { writeProject } from "../../support/project.js";

const project = (files: Record<string, string>) => writeProject(files);

const pkg = (extra: Record<string, unknown> = {}) => JSON.stringify({ name: "agent", type: "module", ...extra });

describe("template renderer", () => {
  it("fills values and shows or hides sections", () => {
    const template = "a={{a}}\n{{#on}}\nshown {{a}}\n{{/on}}\n{{^on}}\nhidden\n{{/on}}\nend";
    expect(renderTemplate(template, { a: "1", on: true })).toBe("a=1\nshown 1\nend");
    expect(renderTemplate(template, { a: "1", on: false })).toBe("a=1\nhidden\nend");
  });

  it("refuses missing values and unbalanced sections", () => {
    expect(() => renderTemplate("{{missing}}", {})).toThrow(/missing/);
    expect(() => renderTemplate("{{#s}}\nx", { s: true })).toThrow(/not closed/);
    expect(() => renderTemplate("{{/s}}", {})).toThrow(/closes nothing/);
  });
});

describe("Python Dockerfile", () => {
  it("runs a module path with OpenTelemetry, or the file when the path is no module", () => {
    expect(pythonCommand("agents/writer/main.py")).toEqual(["opentelemetry-instrument", "python", "-m", "agents.writer.main"]);
    expect(pythonCommand("my-agents/main.py")).toEqual(["opentelemetry-instrument", "python", "my-agents/main.py"]);
  });

  it("with requirements.txt", async () => {
    const dockerfile = renderPythonDockerfile(await readTemplate("Dockerfile.python"), {
      agentName: "my_agent",
      language: "python",
      entrypoint: "agent.py",
      requirementsFile: "requirements.txt",
    });
    expect(dockerfile).toContain("FROM --platform=linux/arm64 ghcr.io/astral-sh/uv:");
    expect(dockerfile).toContain("USER bedrock_agentcore");
    expect(dockerfile).toContain("EXPOSE 8080");
    expect(generatedFor(dockerfile)).toBe("my_agent");
    await expect(dockerfile).toMatchFileSnapshot("__snapshots__/Dockerfile.python.requirements.snap");
  });

  it("exposes the port of the agent's protocol (MCP 8000, A2A 9000, AGUI 8080)", async () => {
    const template = await readTemplate("Dockerfile.python");
    const render = (protocol: "MCP" | "A2A" | "AGUI") =>
      renderPythonDockerfile(template, { agentName: "a", language: "python", entrypoint: "a.py", requirementsFile: null, protocol });
    expect(render("MCP")).toMatch(/^EXPOSE 8000$/m);
    expect(render("MCP")).toContain("serving MCP on port 8000 (Streamable HTTP on POST /mcp)");
    expect(render("A2A")).toMatch(/^EXPOSE 9000$/m);
    expect(render("AGUI")).toMatch(/^EXPOSE 8080$/m);
    const node = renderNodeDockerfile(
      await readTemplate("Dockerfile.node"),
      { agentName: "a", language: "node", entrypoint: "a.js", requirementsFile: "package.json", protocol: "MCP" },
      { appDir: "", lockfile: true, build: false, command: ["node", "a.js"], notes: [] },
    );
    expect(node).toMatch(/PORT=8000$/m);
    expect(node).toMatch(/^EXPOSE 8000$/m);
  });

  it("with pyproject.toml in a sub-directory", async () => {
    const dockerfile = renderPythonDockerfile(await readTemplate("Dockerfile.python"), {
      agentName: "agents_writer_main",
      language: "python",
      entrypoint: "agents/writer/main.py",
      requirementsFile: "agents/pyproject.toml",
    });
    expect(dockerfile).toContain("RUN uv pip install -r agents/pyproject.toml");
    await expect(dockerfile).toMatchFileSnapshot("__snapshots__/Dockerfile.python.pyproject.snap");
  });

  it("without a requirements file", async () => {
    const dockerfile = renderPythonDockerfile(await readTemplate("Dockerfile.python"), {
      agentName: "a",
      language: "python",
      entrypoint: "a.py",
      requirementsFile: null,
    });
    expect(dockerfile).not.toContain("-r ");
    expect(dockerfile).toContain("aws-opentelemetry-distro");
  });
});

describe("Node Dockerfile", () => {
  it("builds TypeScript with npm ci and runs the compiled file from tsconfig's outDir", async () => {
    const dir = await project({
      "package.json": pkg({ scripts: { build: "tsc" }, dependencies: { "bedrock-agentcore": "0.4.4" } }),
      "package-lock.json": "{}",
      // JSON with comments and a trailing comma, as tsc allows
      "tsconfig.json": '{ // compiler\n "compilerOptions": { "outDir": "build", /* src */ "rootDir": "src", },\n}',
      "src/agent.ts": "",
    });
    const node = await planNodeDockerfile(dir, "src/agent.ts", "package.json");
    expect(node).toEqual({ appDir: "", lockfile: true, build: true, command: ["node", "build/agent.js"], notes: [] });
    const dockerfile = renderNodeDockerfile(
      await readTemplate("Dockerfile.node"),
      { agentName: "src_agent", language: "node", entrypoint: "src/agent.ts", requirementsFile: "package.json" },
      node,
    );
    expect(dockerfile).toContain("RUN npm ci");
    expect(dockerfile).toContain("RUN npm run build");
    expect(dockerfile).toContain("USER node");
    expect(dockerfile).toContain("EXPOSE 8080");
    expect(dockerfile.match(/FROM --platform=linux\/arm64 public\.ecr\.aws\/docker\/library\/node:22-slim/g)).toHaveLength(2);
    await expect(dockerfile).toMatchFileSnapshot("__snapshots__/Dockerfile.node.build.snap");
  });

  it("runs TypeScript through tsx when there is no build script, from a package in a sub-directory", async () => {
    const dir = await project({
      "agent/package.json": pkg({ dependencies: { tsx: "4.0.0" } }),
      "agent/src/agent.ts": "",
    });
    const node = await planNodeDockerfile(dir, "agent/src/agent.ts", "agent/package.json");
    expect(node.command).toEqual(["node", "--import", "tsx", "src/agent.ts"]);
    expect(node.notes.join(" ")).toMatch(/agent\/package-lock.json is missing: the image runs `npm install`/);
    const dockerfile = renderNodeDockerfile(
      await readTemplate("Dockerfile.node"),
      { agentName: "agent", language: "node", entrypoint: "agent/src/agent.ts", requirementsFile: "agent/package.json" },
      node,
    );
    expect(dockerfile).toContain("COPY agent/package.json ./");
    expect(dockerfile).toContain("RUN npm install");
    expect(dockerfile).not.toContain("npm run build");
    await expect(dockerfile).toMatchFileSnapshot("__snapshots__/Dockerfile.node.tsx.snap");
  });

  it("runs JavaScript as it is and assumes dist/ when tsconfig has no outDir", async () => {
    const js = await project({ "package.json": pkg(), "package-lock.json": "{}", "index.mjs": "" });
    expect((await planNodeDockerfile(js, "index.mjs", "package.json")).command).toEqual(["node", "index.mjs"]);
    const ts = await project({ "package.json": pkg({ scripts: { build: "tsc" } }), "package-lock.json": "{}", "src/agent.ts": "" });
    const node = await planNodeDockerfile(ts, "src/agent.ts", "package.json");
    expect(node.command).toEqual(["node", "dist/agent.js"]);
    expect(node.notes).toEqual(["tsconfig.json sets no outDir: the Dockerfile assumes the build writes to dist/."]);
  });

  it("refuses what cannot run in the image", async () => {
    const dir = await project({ "package.json": pkg(), "src/agent.ts": "" });
    await expect(planNodeDockerfile(dir, "src/agent.ts", "package.json")).rejects.toThrow(
      /has no build script and tsx is not in its dependencies/,
    );
    await expect(planNodeDockerfile(dir, "src/agent.ts", null)).rejects.toThrow(
      /No package.json found for the Node entrypoint src\/agent.ts/,
    );
    const broken = await project({ "package.json": "{", "index.js": "" });
    await expect(planNodeDockerfile(broken, "index.js", "package.json")).rejects.toThrow(/Cannot read package.json/);
    const outside = await project({ "a/package.json": pkg(), "b/index.js": "" });
    await expect(planNodeDockerfile(outside, "b/index.js", "a/package.json")).rejects.toThrow(/outside the package directory/);
  });

  it("parses JSONC without touching comment-like text in strings", () => {
    expect(parseJsonc('{"a": "http://x/*y*/", // c\n "b": [1,2,],}')).toEqual({ a: "http://x/*y*/", b: [1, 2] });
  });
});

describe(".dockerignore", () => {
  it.each(["dockerignore.python", "dockerignore.node"])("%s keeps secrets, local state, node_modules and .git out", async (name) => {
    const lines = (await readTemplate(name)).split("\n");
    for (const pattern of ["**/.env", "**/.env.*", ".agentcore*", ".git/", "**/node_modules/", "**/*.pem", ".npmrc", ".aws/"]) {
      expect(lines).toContain(pattern);
    }
    await expect(lines.join("\n")).toMatchFileSnapshot(`__snapshots__/${name}.snap`);
  });
});
