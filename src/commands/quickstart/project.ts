/**
 * The quickstart's project directory: which directories it may use (new, empty, an earlier
 * quickstart's, or any with --force), the marker in its .agentcore.json, the copy of the TypeScript
 * example agent (a user's edits kept unless --force) and the node_modules links to agentcore-ts's own
 * packages, so the example runs without `npm install`.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import { updateConfig } from "../../config/store.js";
import { AgentcoreError, toAgentcoreError, UsageError } from "../../errors.js";
import { exists } from "../../util/fs.js";
import { packageRoot } from "../../util/paths.js";
import type { CopyReport, LinkReport, ProjectStatus } from "./types.js";

export const DEFAULT_QUICKSTART_DIR = "agentcore-quickstart";
export const QUICKSTART_AGENT = "quickstart_agent";
/** The top-level key in .agentcore.json that marks a directory as a quickstart project. */
export const QUICKSTART_MARKER = "quickstart";
/** What the example agent's copy needs from agentcore-ts's own install (examples/typescript/README.md). */
export const LINKED_PACKAGES = ["bedrock-agentcore", "zod", "jose", "tsx", "@aws-sdk/client-bedrock-runtime"] as const;
/** The same for the MCP example server (examples/typescript-mcp). */
export const MCP_LINKED_PACKAGES = ["@modelcontextprotocol/sdk", "zod", "jose", "tsx"] as const;
const EXAMPLE_FILES = ["package.json", "tsconfig.json", "src"] as const;
const GITIGNORE = "node_modules/\ndist/\n.env\n";

async function isQuickstartProject(dir: string): Promise<boolean> {
  try {
    const raw = JSON.parse(await fsp.readFile(path.join(dir, CONFIG_FILE_NAME), "utf8")) as Record<string, unknown>;
    return typeof raw[QUICKSTART_MARKER] === "object" && raw[QUICKSTART_MARKER] !== null;
  } catch {
    return false;
  }
}

/**
 * Creates the directory or checks that it may be used, then writes the marker into its
 * .agentcore.json first of all, so a run that fails later still leaves a directory a rerun accepts.
 */
export async function prepareProjectDir(dir: string, force: boolean): Promise<ProjectStatus> {
  let entries: string[] | undefined;
  try {
    const stat = await fsp.stat(dir);
    if (!stat.isDirectory()) {
      throw new UsageError(`${dir} exists and is not a directory.`, {
        hint: "Pass --dir with a new or empty directory.",
        code: "NotADirectory",
      });
    }
    entries = await fsp.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw toAgentcoreError(error);
  }
  let status: ProjectStatus;
  if (entries === undefined || entries.length === 0) {
    status = "created";
  } else if (await isQuickstartProject(dir)) {
    status = "reused";
  } else if (force) {
    status = "adopted";
  } else {
    throw new UsageError(
      `${dir} is not empty and is not a quickstart project (no "${QUICKSTART_MARKER}" entry in its ${CONFIG_FILE_NAME}).`,
      {
        hint: "Pass --dir with a new or empty directory, or --force to add the quickstart's agent and Cognito setup to this one.",
        code: "DirectoryNotEmpty",
      },
    );
  }
  await fsp.mkdir(dir, { recursive: true });
  await updateConfig(path.join(dir, CONFIG_FILE_NAME), (config) => {
    const record = config as Record<string, unknown>;
    record[QUICKSTART_MARKER] = { createdBy: "agentcore-ts quickstart --local", agent: QUICKSTART_AGENT };
  });
  return status;
}

/** examples/<name>/ in agentcore-ts's own files. */
export function exampleDir(name = "typescript"): string {
  return packageRoot("examples", name) + path.sep;
}

async function listFiles(root: string, relative: string): Promise<string[]> {
  const stat = await fsp.stat(path.join(root, relative));
  if (stat.isFile()) return [relative];
  const files: string[] = [];
  for (const entry of (await fsp.readdir(path.join(root, relative))).sort())
    files.push(...(await listFiles(root, path.join(relative, entry))));
  return files;
}

/** Copies the example agent's package.json, tsconfig.json and src/ (and a .gitignore); never overwrites an edited file without --force. */
export async function copyExampleAgent(projectDir: string, force: boolean, source = exampleDir()): Promise<CopyReport> {
  const report: CopyReport = { created: [], unchanged: [], kept: [], restored: [] };
  const files: string[] = [];
  for (const top of EXAMPLE_FILES) files.push(...(await listFiles(source, top)));
  for (const relative of files) {
    const wanted = await fsp.readFile(path.join(source, relative));
    const target = path.join(projectDir, relative);
    const current = await fsp.readFile(target).catch(() => undefined);
    if (current?.equals(wanted)) {
      report.unchanged.push(relative);
      continue;
    }
    if (current !== undefined && !force) {
      report.kept.push(relative);
      continue;
    }
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(target, wanted);
    (current === undefined ? report.created : report.restored).push(relative);
  }
  const gitignore = path.join(projectDir, ".gitignore");
  if (!(await exists(gitignore))) {
    await fsp.writeFile(gitignore, GITIGNORE);
    report.created.push(".gitignore");
  }
  return report;
}

/** The installed package directory of `name` as Node resolves it from agentcore-ts's own files (not from the cwd). */
export async function ownPackageDir(name: string): Promise<string> {
  let dir = packageRoot();
  for (;;) {
    const candidate = path.join(dir, "node_modules", name);
    if (await exists(path.join(candidate, "package.json"))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new AgentcoreError(`agentcore-ts's installation has no ${name} package, which the example agent needs.`, {
        code: "DependencyMissing",
        hint: "Reinstall agentcore-ts (npm install -g agentcore-ts).",
      });
    }
    dir = parent;
  }
}

/**
 * node_modules/<pkg> symlinks to agentcore-ts's own copies, so the example runs without `npm install`
 * (Node resolves each package's own dependencies from its real path). A real directory (the user ran
 * npm install) is left alone; a symlink pointing elsewhere (agentcore-ts moved) is replaced.
 */
export async function linkExampleDependencies(projectDir: string, packages: readonly string[] = LINKED_PACKAGES): Promise<LinkReport> {
  const linked: string[] = [];
  const installed: string[] = [];
  for (const name of packages) {
    const target = await ownPackageDir(name);
    const link = path.join(projectDir, "node_modules", name);
    await fsp.mkdir(path.dirname(link), { recursive: true });
    const stat = await fsp.lstat(link).catch(() => undefined);
    if (stat && !stat.isSymbolicLink()) {
      installed.push(name);
      continue;
    }
    if (stat && (await fsp.readlink(link)) === target) {
      linked.push(name);
      continue;
    }
    if (stat) await fsp.unlink(link);
    await fsp.symlink(target, link, "dir");
    linked.push(name);
  }
  return { linked, installed };
}
