/**
 * The .agentcore.json store. Found in the working directory or the nearest parent (like git),
 * validated on every read, written atomically, and never written by a command that failed to read
 * it. `update` re-reads the file right before writing, so fields other commands wrote survive.
 *
 * The zod schema (./schema.js) is imported only when something is validated: a file unchanged since
 * its last validation is taken from the validation memo (./validation-memo.ts), so commands that
 * only read the config, `invoke` above all, never load zod.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { exists, writeFileAtomic } from "../util/fs.js";
import { jsonSyntaxMessage } from "../util/json-position.js";
import { closestMatch } from "../util/suggest.js";
import { CONFIG_FILE_NAME } from "./file.js";
import type { AgentConfig, AgentcoreConfig } from "./schema.js";
import { assertNoSecrets } from "./secrets.js";
import { validateOnce } from "./validation-memo.js";

/** The schema module, loaded on demand (it loads zod). */
const schemaModule = () => import("./schema.js");

export interface LoadedConfig {
  /** Absolute path of .agentcore.json. */
  file: string;
  /** The directory holding it: relative paths in the config are relative to this. */
  dir: string;
  config: AgentcoreConfig;
}

/** The nearest .agentcore.json at or above `start`, or undefined. */
export async function findConfigFile(start: string): Promise<string | undefined> {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    try {
      const stat = await fsp.stat(candidate);
      if (stat.isFile()) return candidate;
    } catch {
      // keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function emptyConfig(): Promise<AgentcoreConfig> {
  const { configSchema } = await schemaModule();
  return configSchema.parse({ agents: {} });
}

/**
 * Parses and validates file content; errors name the file and the field path. Content this home
 * validated before (same bytes, same schema) is not validated again.
 */
export async function parseConfig(file: string, text: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentcoreConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${jsonSyntaxMessage(text, (error as Error).message)}.`, {
      hint: "Fix the file by hand (or restore it from version control); agentcore-ts will not overwrite it while it is broken.",
      code: "ConfigInvalid",
    });
  }
  return validateOnce({
    env,
    file,
    text,
    raw,
    modules: [new URL(import.meta.url), new URL("./schema.js", import.meta.url)],
    validate: (value) => validateConfig(file, value),
  });
}

async function validateConfig(file: string, raw: unknown): Promise<AgentcoreConfig> {
  const schema = await schemaModule();
  const parsed = schema.configSchema.safeParse(raw);
  if (!parsed.success) {
    // A misspelt key is kept as an unknown field (the objects are loose), so zod only reports what its
    // absence broke; name the likely typo first.
    const typos = misspeltKeys(schema, raw).map((t) => `${t.path}: not a field of .agentcore.json, did you mean "${t.suggestion}"?`);
    const issues = [...typos, ...parsed.error.issues.map((issue) => `${schema.formatIssuePath(issue.path)}: ${issue.message}`)];
    throw new ConfigError(`${file} is invalid: ${issues.join("; ")}.`, {
      hint: "Fix the named field(s) by hand (or restore the file from version control); the file was not changed, and no command changes it while it is invalid.",
      code: "ConfigInvalid",
      details: { file, issues },
    });
  }
  return parsed.data;
}

type Shape = Record<string, unknown>;
const isObject = (v: unknown): v is Shape => v !== null && typeof v === "object" && !Array.isArray(v);

/** Unknown keys one typo away from a known one, at the levels a person edits by hand. */
function misspeltKeys(schema: Awaited<ReturnType<typeof schemaModule>>, raw: unknown): { path: string; suggestion: string }[] {
  const { agentSchema, authorizerConfigurationSchema, cognitoSchema, configSchema, customJwtAuthorizerSchema } = schema;
  const found: { path: string; suggestion: string }[] = [];
  const check = (value: unknown, known: readonly string[], at: string) => {
    if (!isObject(value)) return;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const suggestion = closestMatch(key, known);
      if (suggestion) found.push({ path: at ? `${at}.${key}` : key, suggestion });
    }
  };
  if (!isObject(raw)) return found;
  check(raw, Object.keys(configSchema.shape), "");
  check(raw.cognito, Object.keys(cognitoSchema.shape), "cognito");
  for (const [name, agent] of Object.entries(isObject(raw.agents) ? raw.agents : {})) {
    const at = `agents.${name}`;
    check(agent, Object.keys(agentSchema.shape), at);
    const auth = isObject(agent) ? agent.authorizerConfiguration : undefined;
    check(auth, Object.keys(authorizerConfigurationSchema.shape), `${at}.authorizerConfiguration`);
    const jwt = isObject(auth) ? auth.customJWTAuthorizer : undefined;
    check(jwt, Object.keys(customJwtAuthorizerSchema.shape), `${at}.authorizerConfiguration.customJWTAuthorizer`);
  }
  return found;
}

export async function readConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentcoreConfig> {
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}.`, { code: "ConfigUnreadable" });
  }
  return parseConfig(file, text, env);
}

/** Loads the nearest config; undefined when there is none. */
export async function loadConfig(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig | undefined> {
  const file = await findConfigFile(cwd);
  if (!file) return undefined;
  return { file, dir: path.dirname(file), config: await readConfigFile(file, env) };
}

/** Loads the nearest config or fails with the command that creates one. */
export async function requireConfig(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const loaded = await loadConfig(cwd, env);
  if (!loaded) {
    throw new ConfigError(`No ${CONFIG_FILE_NAME} found in ${path.resolve(cwd)} or any parent directory.`, {
      hint: "Run `agentcore-ts configure --entrypoint <file>` first.",
      code: "ConfigNotFound",
    });
  }
  return loaded;
}

/**
 * Picks an agent: the named one, else the default agent, else the only one.
 * Fails with the list of agents when the choice is ambiguous or the name is unknown.
 */
export function selectAgent(loaded: LoadedConfig, name?: string): AgentConfig {
  const { config, file } = loaded;
  const names = Object.keys(config.agents);
  if (names.length === 0) {
    throw new ConfigError(`${file} has no agents.`, {
      hint: "Run `agentcore-ts configure --entrypoint <file>` to add one.",
      code: "NoAgents",
    });
  }
  const wanted = name ?? config.defaultAgent ?? (names.length === 1 ? names[0] : undefined);
  if (!wanted) {
    throw new ConfigError(`${file} has several agents and no default agent.`, {
      hint: `Pass --agent with one of: ${names.join(", ")}.`,
      code: "AgentAmbiguous",
      exitCode: 2,
    });
  }
  const agent = config.agents[wanted];
  if (!agent) {
    throw new ConfigError(`No agent named "${wanted}" in ${file}.`, {
      hint: `Known agents: ${names.join(", ")}.`,
      code: "AgentNotFound",
      exitCode: 2,
    });
  }
  return agent;
}

/** Validates and writes a whole config atomically. */
export async function writeConfig(file: string, config: AgentcoreConfig): Promise<void> {
  const validated = (await schemaModule()).configSchema.parse(config);
  const text = `${JSON.stringify(validated, null, 2)}\n`;
  assertNoSecrets(text, file);
  await writeFileAtomic(file, text);
}

/**
 * Read-modify-write of the config at `file` (created when missing). The mutation runs on a fresh
 * read; if the file is broken the error is thrown before anything is written.
 */
export async function updateConfig(file: string, mutate: (config: AgentcoreConfig) => void | Promise<void>): Promise<AgentcoreConfig> {
  let config: AgentcoreConfig;
  try {
    config = await readConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError && error.code === "ConfigUnreadable" && !(await exists(file))) {
      config = await emptyConfig();
    } else {
      throw error;
    }
  }
  await mutate(config);
  await writeConfig(file, config);
  return config;
}

/** The config file for a command that may create one: the nearest existing, else one in cwd. */
export async function configFileFor(cwd: string): Promise<string> {
  return (await findConfigFile(cwd)) ?? path.join(path.resolve(cwd), CONFIG_FILE_NAME);
}
