import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";

/** User-level state (token cache, embedded Cognito data, local runtime records): AGENTCORE_TS_HOME or ~/.agentcore-ts. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AGENTCORE_TS_HOME;
  return configured && configured.trim() !== "" ? path.resolve(configured) : path.join(os.homedir(), ".agentcore-ts");
}

/** Creates the home directory (and an optional sub-directory) with mode 0700 and returns its path. */
export async function ensureHomeDir(env: NodeJS.ProcessEnv = process.env, sub?: string): Promise<string> {
  const home = homeDir(env);
  await fsp.mkdir(home, { recursive: true, mode: 0o700 });
  await fsp.chmod(home, 0o700);
  if (!sub) return home;
  const dir = path.join(home, sub);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(dir, 0o700);
  return dir;
}
