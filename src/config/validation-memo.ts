/**
 * A validated JSON file is validated again only when its bytes, or the module that holds its schema,
 * changed since the last time this home validated it.
 *
 * Why: loading zod and building the schemas costs 30 to 50 ms, most of what `invoke` spent before it
 * sent anything (bench/invoke.mjs, docs/benchmarks.md); .agentcore.json and the token cache change
 * rarely, and an unchanged file needs no second look. The modules holding the schemas are imported
 * only on a miss, so the everyday call never loads zod.
 *
 * The memo (AGENTCORE_TS_HOME/cache/validated.json, 0600) maps a file's path and the size and mtime
 * of the modules that hold the schema and the validation (a rebuilt or upgraded agentcore-ts
 * validates everything again) to the SHA-256 of the content that passed and the validated value when it differs
 * from the parsed JSON (a schema's defaults); a value equal to the JSON is not stored, so the memo
 * never copies the token cache's tokens. Everything about the memo is best effort: unreadable,
 * foreign or unwritable, it is a miss and the file is validated as before.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../util/fs.js";
import { ensureHomeDir, homeDir } from "./home.js";

const MEMO_DIR = "cache";
const MEMO_FILE = "validated.json";
const MEMO_VERSION = 1;
/** Entries kept: one per file validated (each project's .agentcore.json, the token cache). */
const MAX_ENTRIES = 64;

interface MemoEntry {
  digest: string;
  /** Present when the validated value differs from the parsed JSON. */
  value?: unknown;
  at: number;
}

interface Memo {
  version: typeof MEMO_VERSION;
  entries: Record<string, MemoEntry>;
}

export interface ValidateOnceOptions<T> {
  env: NodeJS.ProcessEnv;
  /** The validated file (its absolute path is the memo's key). */
  file: string;
  /** Its content as read, and that content parsed. */
  text: string;
  raw: unknown;
  /**
   * The modules whose change must validate everything again: the caller's own (`import.meta.url`)
   * and the schema's (`new URL("./schema.js", import.meta.url)`). Their sizes and mtimes are part of
   * the key; one that does not exist is skipped (built into one bundle, the schema has no file of its
   * own), and with none the memo is not used. From TypeScript sources (the tests) `.js` means `.ts`.
   */
  modules: URL[];
  /** The real validation (it imports the schema module); what it throws is thrown. */
  validate: (raw: unknown) => Promise<T>;
}

/** `validate(raw)`, or its remembered result for the same bytes and the same schema module. */
export async function validateOnce<T>(options: ValidateOnceOptions<T>): Promise<T> {
  const { env, file, text, raw, validate } = options;
  const digest = createHash("sha256").update(text).digest("hex");
  const [stamp, memo] = await Promise.all([moduleStamp(options.modules), readMemo(env)]);
  // Keyed by the modules too: two installs (a global one and a project's) take turns without evicting each other.
  const key = `${stamp}|${path.resolve(file)}`;
  const entry = memo?.entries[key];
  if (stamp && entry && entry.digest === digest) {
    return ("value" in entry ? entry.value : raw) as T;
  }
  // Compare against a fresh parse: the validated value may share objects with `raw`.
  const value = await validate(raw);
  if (stamp) await remember(env, memo, key, { digest, at: Date.now(), ...(isDeepStrictEqual(value, JSON.parse(text)) ? {} : { value }) });
  return value;
}

/** Where the memo lives. */
export function memoFile(env: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), MEMO_DIR, MEMO_FILE);
}

async function moduleStamp(modules: URL[]): Promise<string | undefined> {
  const fromSources = import.meta.url.endsWith(".ts");
  const stamps = await Promise.all(
    modules.map(async (module) => {
      const file = fileURLToPath(module);
      try {
        const stat = await fsp.stat(fromSources ? file.replace(/\.js$/, ".ts") : file);
        return `${stat.size}:${stat.mtimeMs}`;
      } catch {
        return undefined;
      }
    }),
  );
  const found = stamps.filter((stamp) => stamp !== undefined);
  return found.length > 0 ? found.join(",") : undefined;
}

async function readMemo(env: NodeJS.ProcessEnv): Promise<Memo | undefined> {
  try {
    const memo = JSON.parse(await fsp.readFile(memoFile(env), "utf8")) as Memo;
    return memo?.version === MEMO_VERSION && memo.entries !== null && typeof memo.entries === "object" ? memo : undefined;
  } catch {
    return undefined;
  }
}

async function remember(env: NodeJS.ProcessEnv, memo: Memo | undefined, key: string, entry: MemoEntry): Promise<void> {
  const entries = Object.entries({ ...memo?.entries, [key]: entry })
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, MAX_ENTRIES);
  try {
    await ensureHomeDir(env, MEMO_DIR);
    await writeFileAtomic(memoFile(env), `${JSON.stringify({ version: MEMO_VERSION, entries: Object.fromEntries(entries) })}\n`, 0o600);
  } catch {
    // A home that cannot take the memo (read-only, a file) costs only the next validation.
  }
}
