import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentcoreError } from "../errors.js";
import { restrictTree } from "../util/fs.js";

/** ~/.agentcore-ts: the home when AGENTCORE_TS_HOME is not set. */
export function defaultHomeDir(): string {
  return path.join(os.homedir(), ".agentcore-ts");
}

/** User-level state (token cache, embedded Cognito data, local runtime records): AGENTCORE_TS_HOME or ~/.agentcore-ts. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AGENTCORE_TS_HOME;
  return configured && configured.trim() !== "" ? path.resolve(configured) : defaultHomeDir();
}

/** Homes whose modes this process already checked. */
const restricted = new Set<string>();

/**
 * Creates the home directory (and an optional sub-directory) with mode 0700 and returns its path.
 * The first call for a home in a process also makes everything already in it private (0700
 * directories, 0600 files): it holds tokens, and the embedded Cognito's test passwords.
 */
export async function ensureHomeDir(env: NodeJS.ProcessEnv = process.env, sub?: string): Promise<string> {
  const home = homeDir(env);
  try {
    await fsp.mkdir(home, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw homeError(home, error);
  }
  if (!restricted.has(home)) {
    restrictTree(home);
    restricted.add(home);
  } else {
    await fsp.chmod(home, 0o700);
  }
  if (!sub) return home;
  const dir = path.join(home, sub);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(dir, 0o700);
  return dir;
}

/**
 * The error for a home that cannot be used: one sentence naming it and the fix. AGENTCORE_TS_HOME
 * pointing at a regular file gives EEXIST (mkdir) or ENOTDIR (a path below it).
 */
export function homeError(home: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EEXIST" || code === "ENOTDIR") {
    return new AgentcoreError(`The state directory ${home} (AGENTCORE_TS_HOME) is a file, not a directory.`, {
      code: "HomeNotDirectory",
      hint: "Point AGENTCORE_TS_HOME at a directory (it is created when missing), or unset it to use ~/.agentcore-ts.",
      cause: error,
    });
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new AgentcoreError(
      `Cannot create the state directory ${home} (AGENTCORE_TS_HOME): ${code === "EROFS" ? "the file system is read-only" : "permission denied"}.`,
      {
        code: "FileSystemError",
        hint: "Point AGENTCORE_TS_HOME at a directory you can write to, or fix the permissions of its parent.",
        cause: error,
      },
    );
  }
  return error;
}
