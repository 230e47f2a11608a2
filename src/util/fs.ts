import { randomBytes } from "node:crypto";
import { chmodSync, promises as fsp, lstatSync, readdirSync } from "node:fs";
import path from "node:path";

/**
 * Writes a file atomically: a temporary file in the same directory, fsync, then rename over the
 * target. A reader sees the old content or the new, never half of it. The mode of an existing
 * file is kept unless one is given.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const dir = path.dirname(file);
  let finalMode = mode;
  if (finalMode === undefined) {
    try {
      finalMode = (await fsp.stat(file)).mode & 0o777;
    } catch {
      finalMode = 0o644;
    }
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: Awaited<ReturnType<typeof fsp.open>>;
  try {
    handle = await fsp.open(tmp, "wx", finalMode);
  } catch (error) {
    // Name the file the caller wanted, not our temporary one (a read-only directory fails here).
    throw Object.assign(error as NodeJS.ErrnoException, { path: file });
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // open() applies the umask; make the mode exact (0600 must stay 0600, 0644 stay 0644).
    await fsp.chmod(tmp, finalMode);
    await fsp.rename(tmp, file);
  } catch (error) {
    await fsp.rm(tmp, { force: true });
    throw error;
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Private state: makes `dir` 0700 and everything below it 0700 (directories) or 0600 (files), also
 * what an older version or a third-party writer (cognito-local) created with wider modes. Symbolic
 * links are neither followed nor changed. Synchronous: the trees are small (a few dozen files).
 */
export function restrictTree(dir: string): void {
  const walk = (entry: string): void => {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(entry);
    } catch {
      return; // gone meanwhile
    }
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? 0o700 : 0o600;
    if ((stat.mode & 0o777) !== wanted) {
      try {
        chmodSync(entry, wanted);
      } catch {
        // not ours (another user's file): leave it, the rest still gets fixed
      }
    }
    if (stat.isDirectory()) for (const name of readdirSync(entry)) walk(path.join(entry, name));
  };
  walk(dir);
}
