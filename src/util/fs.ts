import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
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
  const handle = await fsp.open(tmp, "wx", finalMode);
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
