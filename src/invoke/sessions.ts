/**
 * Runtime session ids, remembered per agent so consecutive invokes continue one conversation
 * (the runtime keeps a session's microVM and state). Stored in AGENTCORE_TS_HOME/sessions.json,
 * keyed by config file + agent name (or by ARN for `--agent-arn`), never in .agentcore.json. Each
 * update is a locked read-modify-write (util/file-lock.ts, as the token cache) and an atomic rename,
 * so two invokes at the same moment keep both their sessions.
 */
import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { ensureHomeDir, homeDir } from "../config/home.js";
import { UsageError } from "../errors.js";
import { acquireFileLock } from "../util/file-lock.js";
import { writeFileAtomic } from "../util/fs.js";

/** The service's runtimeSessionId constraint (SessionType): 33 to 256 characters. */
export const SESSION_ID_MIN = 33;
export const SESSION_ID_MAX = 256;
const SESSIONS_FILE = "sessions.json";

/**
 * Per agent key: the runtime session to continue. Per A2A session (`a2a:` + agent key + `#` + session id, so
 * that --session-id A, then B, then A again continues A's conversation): the agent's contextId in it.
 */
type SessionStore = Record<string, { sessionId: string; updatedAt?: string; a2aContextId?: string }>;

const A2A_PREFIX = "a2a:";
/** A2A conversations remembered, the most recent first: older ones are forgotten. */
const MAX_A2A_CONTEXTS = 100;

/**
 * The store's shape, checked by hand rather than with zod: loading zod would cost `invoke` 30 to 50 ms
 * (bench/invoke.mjs), and a damaged entry only costs a remembered session id (each one is checked
 * again by sessionIdProblem before use).
 */
function isSessionStore(value: unknown): value is SessionStore {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  return isObject(value) && Object.values(value).every((entry) => isObject(entry) && typeof entry.sessionId === "string");
}

/** Why a session id would be refused, or undefined when it is fine. */
export function sessionIdProblem(id: string): string | undefined {
  if (id.length < SESSION_ID_MIN || id.length > SESSION_ID_MAX) {
    return `--session-id must be ${SESSION_ID_MIN} to ${SESSION_ID_MAX} characters (got ${id.length})`;
  }
  // It travels in an HTTP header: printable ASCII only, no spaces.
  if (!/^[\x21-\x7E]+$/.test(id)) return "--session-id may hold only printable ASCII characters without spaces";
  return undefined;
}

export function validateSessionId(id: string): string {
  const problem = sessionIdProblem(id);
  if (problem) {
    throw new UsageError(`${problem}.`, {
      hint: `A UUID (36 characters) works: --session-id "$(uuidgen)", or pass --new-session to get a fresh one.`,
      code: "InvalidSessionId",
    });
  }
  return id;
}

export function sessionKeyForAgent(configFile: string, agentName: string, local = false): string {
  return `${local ? "local" : "agent"}:${path.resolve(configFile)}#${agentName}`;
}

export function sessionKeyForArn(arn: string, qualifier: string): string {
  return `arn:${arn}?qualifier=${qualifier}`;
}

function storeFile(env: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), SESSIONS_FILE);
}

async function readStore(env: NodeJS.ProcessEnv): Promise<SessionStore> {
  let text: string;
  try {
    text = await fsp.readFile(storeFile(env), "utf8");
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    // A damaged file only costs the remembered sessions; it is rewritten on the next invoke.
    return isSessionStore(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

export async function storedSessionId(env: NodeJS.ProcessEnv, key: string): Promise<string | undefined> {
  const entry = (await readStore(env))[key];
  return entry && sessionIdProblem(entry.sessionId) === undefined ? entry.sessionId : undefined;
}

export async function storeSessionId(env: NodeJS.ProcessEnv, key: string, sessionId: string): Promise<void> {
  await updateStore(env, (store) => {
    store[key] = { sessionId, updatedAt: new Date().toISOString() };
  });
}

/** The A2A conversation (contextId) the agent last answered in within `sessionId`, if any. */
export async function storedA2aContext(env: NodeJS.ProcessEnv, key: string, sessionId: string): Promise<string | undefined> {
  const entry = (await readStore(env))[`${A2A_PREFIX}${key}#${sessionId}`];
  return entry?.sessionId === sessionId && typeof entry.a2aContextId === "string" ? entry.a2aContextId : undefined;
}

/** Records the A2A conversation of `sessionId`, so that the next invoke in the session continues it. */
export async function storeA2aContext(env: NodeJS.ProcessEnv, key: string, sessionId: string, contextId: string): Promise<void> {
  await updateStore(env, (store) => {
    store[`${A2A_PREFIX}${key}#${sessionId}`] = { sessionId, updatedAt: new Date().toISOString(), a2aContextId: contextId };
    const conversations = Object.entries(store)
      .filter(([name]) => name.startsWith(A2A_PREFIX))
      .sort(([, a], [, b]) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""));
    for (const [name] of conversations.slice(MAX_A2A_CONTEXTS)) delete store[name];
  });
}

async function updateStore(env: NodeJS.ProcessEnv, mutate: (store: SessionStore) => void): Promise<void> {
  await ensureHomeDir(env);
  const release = await acquireFileLock(`${storeFile(env)}.lock`, { what: "The sessions file", code: "SessionsLocked" });
  try {
    const store = await readStore(env);
    mutate(store);
    await writeFileAtomic(storeFile(env), `${JSON.stringify(store, null, 2)}\n`, 0o600);
  } finally {
    await release();
  }
}

export interface SessionChoice {
  sessionId: string;
  /** Where it came from: the flag, the remembered one, or newly generated. */
  source: "flag" | "stored" | "new";
}

/**
 * --session-id wins; --new-session starts a new one; otherwise the one remembered for `key`,
 * or a new UUID. The choice is remembered before the call, so the next invoke continues it.
 */
export async function chooseSession(
  env: NodeJS.ProcessEnv,
  key: string,
  options: { sessionId?: string; newSession?: boolean },
): Promise<SessionChoice> {
  let choice: SessionChoice;
  if (options.sessionId !== undefined) {
    choice = { sessionId: validateSessionId(options.sessionId), source: "flag" };
  } else {
    const stored = options.newSession ? undefined : await storedSessionId(env, key);
    choice = stored ? { sessionId: stored, source: "stored" } : { sessionId: randomUUID(), source: "new" };
  }
  if (choice.source !== "stored") await storeSessionId(env, key, choice.sessionId);
  return choice;
}
