/**
 * The launch settings configure records besides auth: how the agent is deployed (container image or
 * code zip) and on which managed runtime, its environment variables, network and lifecycle. Each
 * flag is checked on its own before anything is asked or written; a setting without a flag keeps
 * what the agent already has.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { ENV_KEY, LIFECYCLE_MAX, LIFECYCLE_MIN, MAX_ENV_VALUE, MAX_ENV_VARS, SECURITY_GROUP_ID, SUBNET_ID } from "../../config/patterns.js";
import {
  type AgentConfig,
  CODE_RUNTIMES,
  type CodeRuntime,
  type LifecycleConfiguration,
  type NetworkConfiguration,
} from "../../config/schema.js";
import { UsageError, ValidationError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import type { ConfigureInputs } from "./types.js";
import { parseList } from "./validate.js";

export type DeployMode = "container" | "code";

export interface DeploySettings {
  deploy: DeployMode;
  /** Only for code agents. */
  runtime?: CodeRuntime;
  environmentVariables: Record<string, string>;
  networkConfiguration?: NetworkConfiguration;
  lifecycleConfiguration?: LifecycleConfiguration;
}

/** The runtime a new code agent gets: the newest Python, NODE_22 for Node (the only Node runtime). */
const DEFAULT_RUNTIME: Record<AgentConfig["language"], CodeRuntime> = { node: "NODE_22", python: "PYTHON_3_13" };

/**
 * Checks every launch-settings flag (before any prompt) and merges them with what the agent has.
 * `today` is YYYY-MM-DD (tests pass one to check the block-update refusal).
 */
export async function resolveDeploySettings(
  inputs: ConfigureInputs,
  ctx: { cwd: string; output: Output; today?: string },
  language: AgentConfig["language"],
  existing: AgentConfig | undefined,
): Promise<DeploySettings> {
  const deploy = parseDeploy(inputs.deploy) ?? existing?.deploy ?? "container";
  const runtime = deploy === "code" ? resolveRuntime(inputs.runtime, language, existing, ctx.today) : undefined;
  if (deploy === "container" && inputs.runtime !== undefined) throw runtimeWithContainer();
  const environmentVariables = await resolveEnvironment(inputs, ctx, existing?.environmentVariables ?? {});
  return {
    deploy,
    ...(runtime ? { runtime } : {}),
    environmentVariables,
    ...optional("networkConfiguration", resolveNetwork(inputs, existing?.networkConfiguration)),
    ...optional("lifecycleConfiguration", resolveLifecycle(inputs, existing?.lifecycleConfiguration)),
  };
}

/**
 * The launch-settings flags checked on their own, before configure asks anything (a typo in --deploy,
 * --runtime, --env, --env-file, --network, --subnets, --security-groups, --idle-timeout or --max-lifetime
 * fails at once, not after the prompts). What depends on the agent (its language, its current settings) is
 * checked again by resolveDeploySettings; `language` is given once the entrypoint is known.
 */
export async function checkDeployFlags(
  inputs: ConfigureInputs,
  ctx: { cwd: string; today?: string },
  language?: AgentConfig["language"],
): Promise<void> {
  const deploy = parseDeploy(inputs.deploy);
  if (inputs.runtime !== undefined) {
    if (deploy === "container") throw runtimeWithContainer();
    checkRuntime(inputs.runtime, language, ctx.today);
  }
  if (language !== undefined) return;
  await resolveEnvironment(inputs, { cwd: ctx.cwd }, {});
  const mode = inputs.network?.toUpperCase();
  if (inputs.network !== undefined && mode !== "PUBLIC" && mode !== "VPC") throw invalidNetwork(inputs.network);
  if (mode === "PUBLIC" && (inputs.subnets !== undefined || inputs.securityGroups !== undefined)) throw vpcFlagsNeedVpc();
  if (inputs.subnets !== undefined) checkIds(parseList(inputs.subnets), SUBNET_ID, "--subnets", "subnet-0123456789abcdef0");
  if (inputs.securityGroups !== undefined)
    checkIds(parseList(inputs.securityGroups), SECURITY_GROUP_ID, "--security-groups", "sg-0123456789abcdef0");
  resolveLifecycle(inputs, undefined);
}

function runtimeWithContainer(): UsageError {
  return new UsageError("--runtime applies to code deployments only.", {
    hint: "Add --deploy code, or drop --runtime (a container image brings its own runtime).",
    code: "ConflictingFlags",
  });
}

function invalidNetwork(value: string): ValidationError {
  return new ValidationError(`--network "${value}" is not a network mode.`, {
    hint: "Use --network public or --network vpc.",
    code: "InvalidNetwork",
  });
}

function vpcFlagsNeedVpc(): UsageError {
  return new UsageError("--subnets and --security-groups need --network vpc.", {
    hint: "Drop them, or use --network vpc.",
    code: "ConflictingFlags",
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function parseDeploy(value: string | undefined): DeployMode | undefined {
  if (value === undefined) return undefined;
  if (value === "container" || value === "code") return value;
  throw new ValidationError(`--deploy "${value}" is not a deploy mode.`, {
    hint: "Use --deploy container (a linux/arm64 image) or --deploy code (a zip on a managed runtime).",
    code: "InvalidDeployMode",
  });
}

function resolveRuntime(
  flag: string | undefined,
  language: AgentConfig["language"],
  existing: AgentConfig | undefined,
  today = new Date().toISOString().slice(0, 10),
): CodeRuntime {
  const keep = existing?.runtime && CODE_RUNTIMES[existing.runtime].language === language ? existing.runtime : undefined;
  return checkRuntime(flag ?? keep ?? DEFAULT_RUNTIME[language], language, today);
}

/** A runtime name: one of AgentCore's, able to run `language` (when known), and not past its block-update date. */
function checkRuntime(
  runtime: string,
  language: AgentConfig["language"] | undefined,
  today = new Date().toISOString().slice(0, 10),
): CodeRuntime {
  const usableFor = (lang: AgentConfig["language"] | undefined) =>
    lang === undefined ? [...usable("node", today), ...usable("python", today)] : usable(lang, today);
  if (!(runtime in CODE_RUNTIMES)) {
    throw new ValidationError(`--runtime "${runtime}" is not a runtime of AgentCore direct code deployment.`, {
      hint: `Use one of ${usableFor(language).join(", ")}.`,
      code: "InvalidRuntime",
    });
  }
  const facts = CODE_RUNTIMES[runtime as CodeRuntime];
  if (language !== undefined && facts.language !== language) {
    throw new ValidationError(`--runtime ${runtime} cannot run a ${language === "node" ? "Node/TypeScript" : "Python"} entrypoint.`, {
      hint: `Use one of ${usable(language, today).join(", ")}.`,
      code: "InvalidRuntime",
    });
  }
  if (facts.blockUpdate <= today) {
    throw new ValidationError(
      `${runtime} is past its block-update date (${facts.blockUpdate}): AWS no longer lets agents on it be created or updated.`,
      {
        hint: `Use one of ${usableFor(facts.language).join(", ")} (docs: runtime-code-deploy-supported-runtimes).`,
        code: "RuntimeDeprecated",
      },
    );
  }
  return runtime as CodeRuntime;
}

function usable(language: AgentConfig["language"], today: string): CodeRuntime[] {
  return (Object.keys(CODE_RUNTIMES) as CodeRuntime[]).filter(
    (r) => CODE_RUNTIMES[r].language === language && CODE_RUNTIMES[r].blockUpdate > today,
  );
}

const ASSIGNMENT = /^([^=]+)=(.*)$/s;
/** Names and values that usually hold a credential: shown in the runtime's configuration to anyone who can read it. */
const SECRETISH_KEY = /(secret|passw|token|api_?key|private_?key|credential)/i;
/** The names config/secrets.ts refuses to write (password, secret, tokens). */
const REFUSED_KEY = /^[A-Za-z_]*(?:password|secret|accessToken|refreshToken|idToken|bearerToken)[A-Za-z_]*$/i;
const SECRETISH_VALUE = [/^AKIA[0-9A-Z]{16}$/, /^sk-[A-Za-z0-9_-]{20,}$/, /^gh[pousr]_[A-Za-z0-9]{30,}$/, /^xox[abpr]-/];

async function resolveEnvironment(
  inputs: ConfigureInputs,
  ctx: { cwd: string; output?: Output },
  current: Record<string, string>,
): Promise<Record<string, string>> {
  if (inputs.envFile === undefined && (inputs.env === undefined || inputs.env.length === 0)) return { ...current };
  const merged: Record<string, string> = { ...current };
  if (inputs.envFile !== undefined) {
    const file = path.resolve(ctx.cwd, inputs.envFile);
    let text: string;
    try {
      text = await fsp.readFile(file, "utf8");
    } catch {
      throw new ValidationError(`--env-file ${inputs.envFile}: cannot read ${file}.`, {
        hint: "Give a KEY=VALUE file (dotenv syntax).",
        code: "EnvFileNotFound",
      });
    }
    const { parse } = await import("dotenv");
    Object.assign(merged, parse(text));
  }
  for (const assignment of inputs.env ?? []) {
    const match = ASSIGNMENT.exec(assignment);
    if (!match) {
      throw new ValidationError(`--env "${assignment}" is not KEY=VALUE.`, {
        hint: "Repeat --env for each variable: --env LOG_LEVEL=debug --env STAGE=prod.",
        code: "InvalidEnv",
      });
    }
    merged[match[1]!.trim()] = match[2]!;
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(merged)) {
    if (!ENV_KEY.test(key)) problems.push(`the name "${key.slice(0, 20)}…" is longer than 100 characters`);
    if (value.length > MAX_ENV_VALUE) problems.push(`${key} is ${value.length} characters (at most ${MAX_ENV_VALUE})`);
  }
  if (Object.keys(merged).length > MAX_ENV_VARS) problems.push(`${Object.keys(merged).length} variables (at most ${MAX_ENV_VARS})`);
  if (problems.length > 0) {
    throw new ValidationError(`Environment variables over the AgentCore limits: ${problems.join("; ")}.`, {
      hint: `AgentCore takes at most ${MAX_ENV_VARS} variables, names 1-100 characters, values up to ${MAX_ENV_VALUE} characters.`,
      code: "InvalidEnv",
    });
  }
  // .agentcore.json never holds a secret (config/secrets.ts refuses the write): say so in terms of --env.
  const refused = Object.keys(merged).filter((key) => REFUSED_KEY.test(key));
  if (refused.length > 0) {
    throw new ValidationError(`${refused.join(", ")} would put a secret into .agentcore.json, which never holds one.`, {
      hint: "Keep the value in AWS Secrets Manager (or AgentCore Identity) and pass the agent its name or ARN instead, e.g. --env DB_CREDENTIALS_ARN=arn:aws:secretsmanager:…",
      code: "SecretInConfig",
    });
  }
  for (const [key, value] of Object.entries(merged)) {
    if (current[key] === value) continue;
    if (SECRETISH_KEY.test(key) || SECRETISH_VALUE.some((re) => re.test(value))) {
      ctx.output?.warn(
        `${key} looks like a secret: environment variables are stored in .agentcore.json and are visible in the runtime's configuration (GetAgentRuntime). Prefer AWS Secrets Manager or AgentCore Identity, read at run time.`,
      );
    }
  }
  return merged;
}

function resolveNetwork(inputs: ConfigureInputs, current: NetworkConfiguration | undefined): NetworkConfiguration | undefined {
  const subnets = inputs.subnets === undefined ? undefined : parseList(inputs.subnets);
  const securityGroups = inputs.securityGroups === undefined ? undefined : parseList(inputs.securityGroups);
  const mode = inputs.network?.toUpperCase();
  if (inputs.network !== undefined && mode !== "PUBLIC" && mode !== "VPC") throw invalidNetwork(inputs.network);
  const effective = mode ?? (subnets || securityGroups ? "VPC" : current?.networkMode);
  if (effective === undefined) return undefined;
  if (effective === "PUBLIC") {
    if (subnets || securityGroups) throw vpcFlagsNeedVpc();
    return { networkMode: "PUBLIC" };
  }
  const previous = current?.networkMode === "VPC" ? current.networkModeConfig : undefined;
  const vpc = { subnets: subnets ?? previous?.subnets ?? [], securityGroups: securityGroups ?? previous?.securityGroups ?? [] };
  checkIds(vpc.subnets, SUBNET_ID, "--subnets", "subnet-0123456789abcdef0");
  checkIds(vpc.securityGroups, SECURITY_GROUP_ID, "--security-groups", "sg-0123456789abcdef0");
  return { networkMode: "VPC", networkModeConfig: { ...(previous ?? {}), ...vpc } };
}

function checkIds(ids: string[], pattern: RegExp, flag: string, example: string): void {
  if (ids.length === 0) {
    throw new ValidationError(`VPC network mode needs ${flag}.`, {
      hint: `Pass ${flag} ${example}[,…] (1 to 16, comma-separated).`,
      code: "InvalidNetwork",
    });
  }
  const bad = ids.filter((id) => !pattern.test(id));
  if (bad.length > 0 || ids.length > 16) {
    throw new ValidationError(
      `${flag}: ${bad.length > 0 ? `${bad.join(", ")} ${bad.length === 1 ? "is not an ID" : "are not IDs"}` : `${ids.length} given`}.`,
      {
        hint: `1 to 16 IDs like ${example}.`,
        code: "InvalidNetwork",
      },
    );
  }
}

function resolveLifecycle(inputs: ConfigureInputs, current: LifecycleConfiguration | undefined): LifecycleConfiguration | undefined {
  const idle = parseSeconds(inputs.idleTimeout, "--idle-timeout");
  const max = parseSeconds(inputs.maxLifetime, "--max-lifetime");
  if (idle === undefined && max === undefined) return current;
  const next: LifecycleConfiguration = { ...(current ?? {}) };
  if (idle !== undefined) next.idleRuntimeSessionTimeout = idle;
  if (max !== undefined) next.maxLifetime = max;
  if (next.idleRuntimeSessionTimeout !== undefined && next.maxLifetime !== undefined && next.idleRuntimeSessionTimeout > next.maxLifetime) {
    throw new ValidationError(
      `The idle timeout (${next.idleRuntimeSessionTimeout} s) is longer than the maximum lifetime (${next.maxLifetime} s).`,
      {
        hint: "A session ends at its maximum lifetime whatever its idle timeout: make --idle-timeout at most --max-lifetime.",
        code: "InvalidLifecycle",
      },
    );
  }
  return next;
}

function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < LIFECYCLE_MIN || seconds > LIFECYCLE_MAX) {
    throw new ValidationError(`${flag} "${value}" is not a whole number of seconds between ${LIFECYCLE_MIN} and ${LIFECYCLE_MAX}.`, {
      hint: `AgentCore takes ${LIFECYCLE_MIN} s to ${LIFECYCLE_MAX} s (14 days); its defaults are 900 s idle and 28800 s (8 h) maximum.`,
      code: "InvalidLifecycle",
    });
  }
  return seconds;
}
