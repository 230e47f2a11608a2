/**
 * A lock file for a read-modify-write of a small state file shared by concurrent commands (the token
 * cache, the invoke sessions): an O_EXCL-created `<file>.lock` holding its owner's pid, host, time and a
 * nonce. A live holder is waited for; a stale lock (its process is gone, or it is older than any update
 * takes) is moved aside atomically and broken.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { AgentcoreError, type ErrorCode } from "../errors.js";
import { isProcessAlive } from "./process.js";

const LOCK_WAIT_MS = 10_000;
/** A lock this old is stale even when its pid is alive (an update takes milliseconds). */
const LOCK_STALE_MS = 30_000;

interface LockRecord {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

export interface FileLockOptions {
  /** What is locked, for the error ("The token cache"). */
  what: string;
  /** The error's code when a live holder keeps it past the wait. */
  code: ErrorCode;
}

/** Takes the lock file (O_EXCL); waits for a live holder, breaks a stale one. Resolves with the release. */
export async function acquireFileLock(lockFile: string, options: FileLockOptions): Promise<() => Promise<void>> {
  const mine: LockRecord = { pid: process.pid, host: os.hostname(), at: Date.now(), nonce: randomBytes(8).toString("hex") };
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await fsp.open(lockFile, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify(mine));
      } finally {
        await handle.close();
      }
      return async () => {
        // Only remove the lock if it is still ours (a stale-lock breaker may have replaced it).
        const current = await readLock(lockFile);
        if (current?.nonce === mine.nonce) await fsp.rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readLock(lockFile);
    if (holder === undefined || isStale(holder)) {
      await breakLock(lockFile, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new AgentcoreError(`${options.what} is locked by process ${holder.pid}.`, {
        code: options.code,
        hint: `If no other agentcore-ts command is running, remove ${lockFile} and retry.`,
      });
    }
    await sleep(Math.min(10 + attempt * 5, 50) + Math.random() * 10);
  }
}

function isStale(holder: LockRecord): boolean {
  if (Date.now() - holder.at > LOCK_STALE_MS) return true;
  return holder.host === os.hostname() && !isProcessAlive(holder.pid);
}

/** undefined when there is no lock file or it is unreadable (a holder that died between create and write). */
async function readLock(lockFile: string): Promise<LockRecord | undefined> {
  try {
    const stat = await fsp.stat(lockFile);
    const text = await fsp.readFile(lockFile, "utf8");
    try {
      return JSON.parse(text) as LockRecord;
    } catch {
      // Being written right now, or left empty by a crash: stale only once it is old.
      return { pid: 0, host: "", at: stat.mtimeMs, nonce: "" };
    }
  } catch {
    return undefined;
  }
}

/** Moves a stale lock aside atomically; if what was moved turns out to be a fresh lock, puts it back. */
async function breakLock(lockFile: string, seen: LockRecord | undefined): Promise<void> {
  if (seen === undefined) return;
  const aside = `${lockFile}.${process.pid}.${randomBytes(4).toString("hex")}.stale`;
  try {
    await fsp.rename(lockFile, aside);
  } catch {
    return; // someone else broke it first
  }
  let moved: LockRecord | undefined;
  try {
    moved = JSON.parse(await fsp.readFile(aside, "utf8")) as LockRecord;
  } catch {
    moved = undefined;
  }
  if (moved && moved.nonce !== seen.nonce) {
    // We raced with a new holder: restore its lock (link fails if yet another one exists).
    await fsp.link(aside, lockFile).catch(() => undefined);
  }
  await fsp.rm(aside, { force: true });
}
