import { promises as fsp } from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { readBuildContext, zipBuildContext } from "../../src/build/context.js";
import { DockerIgnore } from "../../src/build/dockerignore.js";
import { tempDir } from "../support/cli.js";

describe(".dockerignore (Docker's semantics)", () => {
  const cases: [string, string, boolean][] = [
    // pattern(s), path, ignored?
    ["node_modules", "node_modules/a/b.js", true], // a match on a parent directory covers everything below
    ["node_modules/", "node_modules/x", true], // trailing slash is cleaned away
    ["/build", "build/out.txt", true], // leading slash: relative to the context
    ["*.log", "app.log", true],
    ["*.log", "logs/app.log", false], // `*` does not cross '/'
    ["**/*.log", "logs/deep/app.log", true],
    ["**/*.log", "app.log", true], // `**/` matches zero directories too
    ["docs/**", "docs/a/b.md", true],
    ["a?c", "abc", true],
    ["a?c", "a/c", false],
    ["[a-c]x", "bx", true],
    ["[!a-c]x", "dx", true],
    ["[!a-c]x", "ax", false],
    ["# comment\n\n  secret.txt  ", "secret.txt", true], // comments, blank lines, surrounding spaces
    ["*.md\n!README.md", "README.md", false], // exclusion re-includes
    ["*.md\n!README.md\nREADME.md", "README.md", true], // the last match wins
    ["**/.env\n!**/.env.example", "config/.env.example", false],
    ["**/.env\n!**/.env.example", "config/.env", true],
    ["./src/../tmp", "tmp/x", true], // cleaned like filepath.Clean
    ["file\\*name", "file*name", true], // backslash escapes
    ["file\\*name", "fileXname", false],
    ["a.b", "aXb", false], // a dot is literal
  ];
  it.each(cases)("%j on %s → ignored=%s", (patterns, file, ignored) => {
    expect(DockerIgnore.parse(patterns).ignores(file)).toBe(ignored);
  });
});

/** name -> unix mode, from the zip's central directory (external attributes, high 16 bits). */
function zipModes(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const modes: Record<string, number> = {};
  for (let i = 0; i + 46 <= zip.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(i + 28, true);
    const name = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLength));
    modes[name] = view.getUint32(i + 38, true) >>> 16;
    i += 45 + nameLength;
  }
  return modes;
}

async function project(files: Record<string, string>): Promise<string> {
  const dir = tempDir("agentcore-ts-ctx-");
  for (const [name, content] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fsp.writeFile(path.join(dir, name), content);
  }
  return dir;
}

const BASE = {
  Dockerfile: "FROM scratch\nCOPY . .\n",
  ".dockerignore": "node_modules\n.env\n*.log\n!keep.log\n",
  "agent.py": "print(1)\n",
  "pkg/util.py": "X = 1\n",
  "node_modules/dep/index.js": "1",
  ".env": "SECRET=1",
  "debug.log": "noise",
  "keep.log": "kept",
};

describe("build context", () => {
  it("lists what Docker would send and tags it by content", async () => {
    const dir = await project({ ...BASE, ".agentcore.json": "{}" });
    const ctx = await readBuildContext(dir, path.join(dir, "Dockerfile"));
    expect(ctx.entries.map((e) => e.rel)).toEqual([".dockerignore", "Dockerfile", "agent.py", "keep.log", "pkg", "pkg/util.py"]);
    expect(ctx.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(ctx.dockerfileInZip).toBe("Dockerfile");
  });

  it("the tag changes with a source, the Dockerfile or an exec bit, and not with ignored files or .agentcore.json", async () => {
    const dir = await project(BASE);
    const tag = async () => (await readBuildContext(dir, path.join(dir, "Dockerfile"))).tag;
    const original = await tag();
    expect(await tag()).toBe(original);

    await fsp.writeFile(path.join(dir, "debug.log"), "more noise");
    await fsp.writeFile(path.join(dir, "node_modules/dep/index.js"), "2");
    await fsp.writeFile(path.join(dir, ".agentcore.json"), '{"version":1}');
    expect(await tag()).toBe(original);

    await fsp.writeFile(path.join(dir, "pkg/util.py"), "X = 2\n");
    const changedSource = await tag();
    expect(changedSource).not.toBe(original);

    await fsp.writeFile(path.join(dir, "Dockerfile"), "FROM scratch\nCOPY . /app\n");
    const changedDockerfile = await tag();
    expect(changedDockerfile).not.toBe(changedSource);

    await fsp.chmod(path.join(dir, "agent.py"), 0o755);
    expect(await tag()).not.toBe(changedDockerfile);
  });

  it("a Dockerfile-specific <Dockerfile>.dockerignore wins over the context's", async () => {
    const dir = await project({ ...BASE, "agent.Dockerfile": "FROM scratch\n", "agent.Dockerfile.dockerignore": "pkg\n" });
    const ctx = await readBuildContext(dir, path.join(dir, "agent.Dockerfile"));
    const names = ctx.entries.map((e) => e.rel);
    expect(names).not.toContain("pkg/util.py");
    expect(names).toContain("node_modules/dep/index.js");
  });

  it("zips the context with unix modes and symlinks, and always includes the Dockerfile", async () => {
    const dir = await project({ ...BASE, ".dockerignore": "Dockerfile\n.env\nnode_modules\n" });
    await fsp.chmod(path.join(dir, "agent.py"), 0o755);
    await fsp.symlink("agent.py", path.join(dir, "link.py"));
    const ctx = await readBuildContext(dir, path.join(dir, "Dockerfile"));
    const zip = await zipBuildContext(ctx);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([
      ".dockerignore",
      "Dockerfile",
      "agent.py",
      "debug.log",
      "keep.log",
      "link.py",
      "pkg/",
      "pkg/util.py",
    ]);
    expect(new TextDecoder().decode(files["agent.py"])).toBe("print(1)\n");
    expect(new TextDecoder().decode(files["link.py"])).toBe("agent.py");
    const modes = zipModes(zip);
    expect(modes["agent.py"]).toBe(0o100755);
    expect(modes["keep.log"]! & 0o170000).toBe(0o100000);
    expect(modes["link.py"]! & 0o170000).toBe(0o120000);
    expect(modes["pkg/"]! & 0o170000).toBe(0o040000);
  });

  it("a Dockerfile outside the context travels inside the zip under its own name", async () => {
    const outside = await project({ "Dockerfile.shared": "FROM scratch\n" });
    const dir = await project({ "agent.py": "print(1)\n" });
    const ctx = await readBuildContext(dir, path.join(outside, "Dockerfile.shared"));
    expect(ctx.dockerfileInZip).toBe(".agentcore-ts.Dockerfile");
    const files = unzipSync(await zipBuildContext(ctx));
    expect(new TextDecoder().decode(files[".agentcore-ts.Dockerfile"])).toBe("FROM scratch\n");
  });
});
