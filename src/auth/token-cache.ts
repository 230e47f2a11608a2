/**
 * The token cache: AGENTCORE_TS_HOME/tokens.json (directory 0700, file 0600). One entry per
 * (issuer, client, subject): for Cognito password logins the issuer is the user pool id and the
 * subject the username; for OAuth flows (`flow` set) the issuer is the user pool id when it is a
 * Cognito pool, else the issuer URL, and the subject is the token's `sub`. Each entry holds the
 * access, id and refresh tokens, their expiry, the issuer (the tokens' `iss`), the region and
 * whether the pool lives in the embedded local Cognito; OAuth entries also how to renew them
 * (discovery URL, flow, scope), never the client secret.
 *
 * Every change is a locked read-modify-write (an O_EXCL lock file next to the cache, with stale-lock
 * recovery) followed by an atomic rename, so two commands refreshing at once never lose each
 * other's entries or leave half a file. A cache that does not parse is reported, never replaced.
 * Nothing here logs or prints a token; errors name the file, not its content.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { ensureHomeDir, homeDir, homeError } from "../config/home.js";
import { validateOnce } from "../config/validation-memo.js";
import { AgentcoreError } from "../errors.js";
import { acquireFileLock } from "../util/file-lock.js";
import { writeFileAtomic } from "../util/fs.js";
import type { CachedTokens, TokenCacheData } from "./token-cache-schema.js";

export type { CachedTokens, TokenCacheData };

export const TOKEN_CACHE_FILE = "tokens.json";
export const CACHE_VERSION = 1;

export interface TokenKey {
  userPoolId: string;
  clientId: string;
  username: string;
}

export function tokenCacheKey(key: TokenKey): string {
  return `${key.userPoolId}/${key.clientId}/${key.username}`;
}

export function tokenCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(homeDir(env), TOKEN_CACHE_FILE);
}

function corrupted(file: string, why: string): AgentcoreError {
  return new AgentcoreError(`The token cache ${file} is unreadable: ${why}.`, {
    code: "TokenCacheCorrupt",
    hint: `It was left untouched. Move it aside (\`mv ${file} ${file}.broken\`), then run \`agentcore-ts token refresh\` (or \`cognito setup\`) to log in again.`,
  });
}

/** Parses and validates the cache's content (once per content: the validation memo). */
export async function parseTokenCache(file: string, text: string, env: NodeJS.ProcessEnv = process.env): Promise<TokenCacheData> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // The parser's message may quote the content, which holds tokens: never pass it on.
    throw corrupted(file, "it is not valid JSON");
  }
  return validateOnce({
    env,
    file,
    text,
    raw,
    modules: [new URL(import.meta.url), new URL("./token-cache-schema.js", import.meta.url)],
    validate: async (value) => {
      const { cacheFileSchema } = await import("./token-cache-schema.js");
      const parsed = cacheFileSchema.safeParse(value);
      if (parsed.success) return parsed.data;
      const where = parsed.error.issues
        .slice(0, 3)
        .map((issue) => issue.path.join(".") || "(top level)")
        .join(", ");
      throw corrupted(file, `unexpected content at ${where}`);
    },
  });
}

export class TokenCache {
  readonly file: string;
  readonly lockFile: string;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    this.file = tokenCachePath(env);
    this.lockFile = `${this.file}.lock`;
  }

  /** The whole cache; empty when the file does not exist yet. Throws TokenCacheCorrupt for a broken file. */
  async read(): Promise<TokenCacheData> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: CACHE_VERSION, entries: {} };
      if ((error as NodeJS.ErrnoException).code === "ENOTDIR") throw homeError(path.dirname(this.file), error);
      throw new AgentcoreError(`Cannot read the token cache ${this.file}: ${(error as NodeJS.ErrnoException).code ?? "error"}.`, {
        code: "TokenCacheUnreadable",
        hint: `Check the permissions of ${path.dirname(this.file)} (AGENTCORE_TS_HOME).`,
      });
    }
    return parseTokenCache(this.file, text, this.env);
  }

  async entries(): Promise<CachedTokens[]> {
    return Object.values((await this.read()).entries);
  }

  async get(key: TokenKey): Promise<CachedTokens | undefined> {
    return (await this.read()).entries[tokenCacheKey(key)];
  }

  /** Stores (replaces) the entry for its pool, client and user. */
  async put(entry: CachedTokens): Promise<void> {
    const { cachedTokensSchema } = await import("./token-cache-schema.js");
    const checked = cachedTokensSchema.parse(entry);
    await this.update((data) => {
      data.entries[tokenCacheKey(checked)] = checked;
    });
  }

  /** Removes the entries matching `predicate`; returns how many went. */
  async remove(predicate: (entry: CachedTokens) => boolean): Promise<number> {
    let removed = 0;
    await this.update((data) => {
      for (const [key, entry] of Object.entries(data.entries)) {
        if (predicate(entry)) {
          delete data.entries[key];
          removed += 1;
        }
      }
    });
    return removed;
  }

  /** Locked read-modify-write; the mutation sees the freshest content. Nothing is written when it throws. */
  async update(mutate: (data: TokenCacheData) => void | Promise<void>): Promise<TokenCacheData> {
    await ensureHomeDir(this.env);
    const release = await acquireFileLock(this.lockFile, { what: "The token cache", code: "TokenCacheLocked" });
    try {
      const data = await this.read();
      await mutate(data);
      await writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
      return data;
    } finally {
      await release();
    }
  }
}
