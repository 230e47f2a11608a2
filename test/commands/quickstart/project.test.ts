/**
 * The quickstart's project directory: which directories it accepts, the marker, the example copy
 * (edits kept unless --force) and the node_modules links to agentcore-ts's own packages.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  copyExampleAgent,
  LINKED_PACKAGES,
  linkExampleDependencies,
  ownPackageDir,
  prepareProjectDir,
  QUICKSTART_MARKER,
} from "../../../src/commands/quickstart/project.js";
import { REPO_ROOT, tempDir } from "../../support/cli.js";

const readConfig = async (dir: string) => JSON.parse(await fsp.readFile(path.join(dir, ".agentcore.json"), "utf8"));

describe("prepareProjectDir", () => {
  it("creates a missing directory and marks it; a marked directory is reused", async () => {
    const dir = path.join(tempDir(), "a", "b");
    expect(await prepareProjectDir(dir, false)).toBe("created");
    expect((await readConfig(dir))[QUICKSTART_MARKER]).toEqual({ createdBy: "agentcore-ts quickstart --local", agent: "quickstart_agent" });
    await fsp.writeFile(path.join(dir, "extra.txt"), "x");
    expect(await prepareProjectDir(dir, false)).toBe("reused");
  });

  it("refuses a non-empty unmarked directory (exit 2) and leaves it untouched; --force adopts it and keeps its config", async () => {
    const dir = tempDir();
    const config = {
      version: 1,
      agents: {},
      cognito: {
        region: "us-east-1",
        userPoolId: "p",
        clientId: "c",
        username: "u",
        discoveryUrl: "https://x/.well-known/openid-configuration",
      },
    };
    await fsp.writeFile(path.join(dir, ".agentcore.json"), JSON.stringify(config));
    await expect(prepareProjectDir(dir, false)).rejects.toMatchObject({ code: "DirectoryNotEmpty", exitCode: 2 });
    expect(await readConfig(dir)).toEqual(config);
    expect(await prepareProjectDir(dir, true)).toBe("adopted");
    expect(await readConfig(dir)).toMatchObject({ ...config, [QUICKSTART_MARKER]: { agent: "quickstart_agent" } });
  });

  it("refuses a path that is a file, and a marked directory whose config is broken is reported, not rewritten", async () => {
    const root = tempDir();
    await fsp.writeFile(path.join(root, "file"), "x");
    await expect(prepareProjectDir(path.join(root, "file"), true)).rejects.toMatchObject({ code: "NotADirectory", exitCode: 2 });
    const broken = path.join(root, "broken");
    await fsp.mkdir(broken);
    await fsp.writeFile(path.join(broken, ".agentcore.json"), `{"quickstart": {}, "agents": 5}`);
    await expect(prepareProjectDir(broken, false)).rejects.toMatchObject({ code: "ConfigInvalid" });
    expect(await fsp.readFile(path.join(broken, ".agentcore.json"), "utf8")).toBe(`{"quickstart": {}, "agents": 5}`);
  });
});

describe("copyExampleAgent", () => {
  it("copies package.json, tsconfig.json and src/ with a .gitignore; keeps edited files unless forced", async () => {
    const dir = tempDir();
    const first = await copyExampleAgent(dir, false);
    expect(first.created).toEqual(expect.arrayContaining(["package.json", "tsconfig.json", "src/agent.ts", "src/tools.ts", ".gitignore"]));
    const example = path.join(REPO_ROOT, "examples", "typescript", "src", "agent.ts");
    expect(await fsp.readFile(path.join(dir, "src", "agent.ts"), "utf8")).toBe(await fsp.readFile(example, "utf8"));

    await fsp.appendFile(path.join(dir, "src", "agent.ts"), "// mine\n");
    await fsp.writeFile(path.join(dir, ".gitignore"), "mine\n");
    const again = await copyExampleAgent(dir, false);
    expect(again).toMatchObject({ created: [], kept: ["src/agent.ts"], restored: [] });
    expect(await fsp.readFile(path.join(dir, "src", "agent.ts"), "utf8")).toContain("// mine");
    expect(await fsp.readFile(path.join(dir, ".gitignore"), "utf8")).toBe("mine\n");

    const forced = await copyExampleAgent(dir, true);
    expect(forced).toMatchObject({ kept: [], restored: ["src/agent.ts"] });
    expect(await fsp.readFile(path.join(dir, "src", "agent.ts"), "utf8")).not.toContain("// mine");
  });
});

describe("linkExampleDependencies", () => {
  it("links agentcore-ts's own packages, replaces a stale link and leaves an installed package alone", async () => {
    const dir = tempDir();
    expect(await linkExampleDependencies(dir)).toEqual({ linked: [...LINKED_PACKAGES], installed: [] });
    for (const name of LINKED_PACKAGES) {
      expect(await fsp.readlink(path.join(dir, "node_modules", name))).toBe(path.join(REPO_ROOT, "node_modules", name));
    }
    await fsp.unlink(path.join(dir, "node_modules", "zod"));
    await fsp.symlink(path.join(dir, "nowhere"), path.join(dir, "node_modules", "zod"));
    await fsp.rm(path.join(dir, "node_modules", "jose"));
    await fsp.mkdir(path.join(dir, "node_modules", "jose"));
    const again = await linkExampleDependencies(dir);
    expect(again.installed).toEqual(["jose"]);
    expect(await fsp.readlink(path.join(dir, "node_modules", "zod"))).toBe(await ownPackageDir("zod"));
    expect((await fsp.lstat(path.join(dir, "node_modules", "jose"))).isDirectory()).toBe(true);
  });

  it("names a package its own installation lacks", async () => {
    await expect(ownPackageDir("no-such-package-agentcore-ts")).rejects.toMatchObject({ code: "DependencyMissing" });
  });
});
