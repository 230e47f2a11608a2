/**
 * `agentcore-ts configure`: adds or updates one agent in .agentcore.json and writes the Dockerfile
 * and .dockerignore that `launch` builds. Every value is collected (flag, prompt or default) and
 * validated first; only then are the files written, Dockerfile first and config last, so a failure
 * never leaves a config pointing at a Dockerfile that is not there.
 *
 * Defaults, in order: flags; the agent's current settings (reconfigure); .env (COGNITO_DISCOVERY_URL,
 * COGNITO_CLIENT_ID, AWS_REGION); the `cognito` section that `cognito setup` wrote.
 */
import { promises as fsp, statSync } from "node:fs";
import path from "node:path";
import { isLoopbackHost } from "../../config/patterns.js";
import {
  type AgentConfig,
  type AgentcoreConfig,
  type AuthorizerConfiguration,
  CONFIG_FILE_NAME,
  type CognitoConfig,
  configSchema,
  formatIssuePath,
} from "../../config/schema.js";
import { assertNoSecrets } from "../../config/secrets.js";
import { configFileFor, emptyConfig, readConfigFile, updateConfig } from "../../config/store.js";
import { UsageError, ValidationError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import type { Prompter } from "../../ui/prompts.js";
import { exists, writeFileAtomic } from "../../util/fs.js";
import { nonEmpty } from "../../util/text.js";
import {
  type DockerfilePlan,
  generatedFor,
  planNodeDockerfile,
  readTemplate,
  renderNodeDockerfile,
  renderPythonDockerfile,
} from "./templates.js";
import {
  AGENT_NAME_RULE,
  AUTHORIZATION_HEADER,
  agentNameProblem,
  buildJwtAuthorizer,
  checkDiscoveryUrl,
  checkEcrRepository,
  checkExecutionRole,
  checkHeaderAllowlist,
  cognitoRegionOf,
  fetchDiscoveryDocument,
  findEntrypointIn,
  hasHeader,
  inferAgentName,
  isCognitoDiscoveryUrl,
  isFile,
  type Language,
  languageOf,
  parseAuthorizerConfig,
  parseList,
  projectRelative,
  sanitizeDirName,
} from "./validate.js";

export interface ConfigureInputs {
  entrypoint?: string;
  name?: string;
  executionRole?: string;
  ecr?: string;
  requirementsFile?: string;
  discoveryUrl?: string;
  /** Comma-separated lists, as typed. */
  allowedClients?: string;
  allowedAudience?: string;
  allowedScopes?: string;
  /** `{"customJWTAuthorizer": {...}}` or `null` (IAM). */
  authorizerConfig?: string;
  requestHeaderAllowlist?: string;
  skipDiscoveryCheck?: boolean;
  force?: boolean;
}

/** What configure needs from its caller; a CommandContext has all of it. */
export interface ConfigureDeps {
  cwd: string;
  output: Output;
  prompter: Prompter;
  /** The region from --region / AWS_REGION / AWS_DEFAULT_REGION / the profile, else `fallback`. */
  region(fallback?: string): Promise<string | undefined>;
  /** .env key/values of a directory (default: cwd). */
  dotenv(dir?: string): Promise<Record<string, string>>;
  /** For AGENTCORE_TS_HOME / AGENTCORE_TS_COGNITO_PORT (the embedded Cognito); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** For the discovery-document check (tests inject one). */
  fetch?: typeof fetch;
  discoveryTimeoutMs?: number;
}

export type FileAction = "written" | "overwritten" | "kept" | "unchanged";

/** The saved agent; `--json` prints it. */
export type ConfigureResult = AgentConfig;

const IAM_HINT = "For JWT inbound auth pass --discovery-url and --allowed-clients (or run `agentcore-ts cognito setup` first).";

export async function configure(inputs: ConfigureInputs, deps: ConfigureDeps): Promise<ConfigureResult> {
  const { output } = deps;
  checkFlagCombinations(inputs);
  // Flags are checked before any prompt: a typo fails at once, not after three questions.
  const authorizerFromFlag = inputs.authorizerConfig === undefined ? undefined : parseAuthorizerConfig(inputs.authorizerConfig);
  if (inputs.name !== undefined) checkName(inputs.name);
  if (inputs.discoveryUrl !== undefined) checkDiscoveryUrl(inputs.discoveryUrl);
  if (inputs.executionRole !== undefined) checkExecutionRole(inputs.executionRole);
  if (inputs.ecr !== undefined) checkEcrRepository(inputs.ecr, undefined);
  if (inputs.requestHeaderAllowlist !== undefined) checkHeaderAllowlist(parseList(inputs.requestHeaderAllowlist), true);

  const configFile = await configFileFor(deps.cwd);
  const projectDir = path.dirname(configFile);
  // A broken config fails here, before anything is written (and it is never rewritten).
  const config: AgentcoreConfig = (await exists(configFile)) ? await readConfigFile(configFile) : emptyConfig();
  if (projectDir !== path.resolve(deps.cwd))
    output.info(`Using ${configFile} (the nearest ${CONFIG_FILE_NAME}, in a parent directory; its directory is the build context).`);
  const dotenv = { ...(await deps.dotenv(projectDir)), ...(await deps.dotenv(deps.cwd)) };

  const entrypoint = await resolveEntrypoint(inputs, deps, projectDir, config);
  const language = languageOf(entrypoint);
  const name = await resolveName(inputs, deps, projectDir, config, entrypoint);
  const existing = config.agents[name];
  if (existing) output.debug(`Updating the agent "${name}" in ${configFile}.`);

  const requirementsFile = await resolveRequirements(inputs, deps, projectDir, entrypoint, language, existing);
  const auth = await resolveAuthorizer(inputs, deps, authorizerFromFlag, { dotenv, cognito: config.cognito, existing });
  const jwt = auth.authorizer?.customJWTAuthorizer;
  const { names: requestHeaderAllowlist, note: headerNote } = await resolveHeaderAllowlist(inputs, deps, Boolean(jwt), existing);

  const region = await resolveRegion(deps, dotenv.AWS_REGION, config.cognito, existing, jwt?.discoveryUrl);
  const executionRole = inputs.executionRole ?? existing?.executionRole ?? "auto";
  // Only a flag value is checked here: a stored value may have been written by `launch`.
  const ecrRepository = inputs.ecr !== undefined ? checkEcrRepository(inputs.ecr, region).repository : (existing?.ecrRepository ?? "auto");

  if (jwt && !inputs.skipDiscoveryCheck) {
    await output.task(`Discovery document ${jwt.discoveryUrl}`, () => checkDiscoveryDocument(jwt.discoveryUrl, deps));
  }
  if (jwt && isCognitoDiscoveryUrl(jwt.discoveryUrl, config.cognito) && jwt.allowedAudience?.length && !jwt.allowedClients?.length) {
    output.warn(
      "Cognito access tokens carry client_id, not aud: with allowedAudience and no allowedClients, AgentCore rejects them. Use --allowed-clients <app client id> (ID tokens do carry aud, but agents are called with access tokens).",
    );
  }

  // Everything is known: render the files and check the whole new config before writing any of it.
  const plan: DockerfilePlan = { agentName: name, language, entrypoint, requirementsFile };
  const files = await planFiles(projectDir, plan, config, existing, Boolean(inputs.force), output);
  const fields = {
    name,
    entrypoint,
    language,
    platform: "linux/arm64" as const,
    ...(region ? { region } : {}),
    executionRole,
    ecrRepository,
    dockerfile: files.dockerfile.relative,
    requirementsFile,
    authorizerConfiguration: auth.authorizer,
    requestHeaderAllowlist,
  };
  const apply = (target: AgentcoreConfig) => {
    // Reconfigure keeps what other commands wrote (deployment, environment, unknown fields).
    // Key order: configure's fields first, then what others own, then unknown fields (readable JSON).
    const current: Partial<AgentConfig> = target.agents[name] ?? {};
    const kept = {
      environmentVariables: current.environmentVariables ?? {},
      protocol: current.protocol ?? "HTTP",
      deployment: current.deployment ?? null,
    };
    target.agents[name] = Object.assign({}, fields, kept, current, fields, kept);
    // Like the toolkit: the agent configured last is the default.
    target.defaultAgent = name;
  };
  precheckConfig(configFile, config, apply);

  const saved = (await writeAll(configFile, files, apply)).agents[name]!;
  // Said once it is true: a failed check or write above leaves the allowlist as it was.
  if (headerNote) output.info(headerNote);
  report(output, { configFile, projectDir, agent: saved, files, authSource: auth.source, existing: Boolean(existing) });
  output.result(saved);
  return saved;
}

/**
 * Fetches the discovery document. The embedded local Cognito (after `cognito setup --local`) starts
 * on demand like for every other command, and is released afterwards.
 */
async function checkDiscoveryDocument(url: string, deps: ConfigureDeps): Promise<void> {
  let release: (() => Promise<void>) | undefined;
  if (url.startsWith("http://")) {
    const embedded = await import("../../embedded-cognito/control.js");
    const env = deps.env ?? process.env;
    if (embedded.isEmbeddedCognitoUrl(url, env)) release = (await embedded.ensureEmbeddedCognito(env)).stop;
  }
  try {
    await fetchDiscoveryDocument(url, { fetch: deps.fetch, timeoutMs: deps.discoveryTimeoutMs });
  } finally {
    await release?.();
  }
}

function checkFlagCombinations(inputs: ConfigureInputs): void {
  if (inputs.authorizerConfig === undefined) return;
  const clashing = (
    [
      ["--discovery-url", inputs.discoveryUrl],
      ["--allowed-clients", inputs.allowedClients],
      ["--allowed-audience", inputs.allowedAudience],
      ["--allowed-scopes", inputs.allowedScopes],
    ] as const
  ).filter(([, value]) => value !== undefined);
  if (clashing.length > 0) {
    throw new UsageError(`--authorizer-config cannot be combined with ${clashing.map(([flag]) => flag).join(", ")}.`, {
      hint: "Give the whole authorizer as --authorizer-config JSON, or use --discovery-url with --allowed-clients/--allowed-audience/--allowed-scopes.",
      code: "ConflictingFlags",
    });
  }
}

function checkName(name: string): string {
  const problem = agentNameProblem(name);
  if (problem) throw new ValidationError(`${problem}.`, { hint: "Pass --name with e.g. my_agent.", code: "InvalidAgentName" });
  return name;
}

async function resolveEntrypoint(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  projectDir: string,
  config: AgentcoreConfig,
): Promise<string> {
  let given = inputs.entrypoint;
  if (given === undefined) {
    const current = config.defaultAgent ? config.agents[config.defaultAgent] : undefined;
    const fromConfig =
      current && (await isFile(path.join(projectDir, current.entrypoint))) ? path.join(projectDir, current.entrypoint) : undefined;
    const found = fromConfig ?? (await findEntrypointIn(deps.cwd));
    const suggestion = found ? path.relative(deps.cwd, found) : undefined;
    given = await deps.prompter.input({
      message: "Entrypoint (the agent's main .py/.ts/.js file)",
      flag: "--entrypoint",
      default: suggestion,
      validate: (value) => (existingPath(path.resolve(deps.cwd, value)) ? true : `${value} does not exist`),
    });
  }
  let absolute = path.resolve(deps.cwd, given);
  const kind = existingPath(absolute);
  if (!kind) {
    throw new ValidationError(`The entrypoint ${given} does not exist.`, {
      hint: `Pass --entrypoint with the agent's main file, relative to ${deps.cwd}.`,
      code: "EntrypointNotFound",
    });
  }
  if (kind === "dir") {
    const found = await findEntrypointIn(absolute);
    if (!found) {
      throw new ValidationError(
        `No entrypoint found in the directory ${given} (looked for agent.py, main.py, app.py, src/agent.ts, index.ts, …).`,
        {
          hint: "Pass --entrypoint with the agent's main file.",
          code: "EntrypointNotFound",
        },
      );
    }
    absolute = found;
  }
  return projectRelative(projectDir, deps.cwd, absolute, "entrypoint", "--entrypoint");
}

function existingPath(file: string): "file" | "dir" | undefined {
  try {
    const stat = statSync(file);
    return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

async function resolveName(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  projectDir: string,
  config: AgentcoreConfig,
  entrypoint: string,
): Promise<string> {
  if (inputs.name !== undefined) return inputs.name;
  // Reconfiguring the same entrypoint updates the agent that already has it.
  const sameEntrypoint = Object.values(config.agents).find((agent) => agent.entrypoint === entrypoint);
  let suggestion = sameEntrypoint?.name;
  if (!suggestion) {
    const inferred = inferAgentName(entrypoint);
    if (!agentNameProblem(inferred)) {
      suggestion = inferred;
    } else {
      const fromDir = sanitizeDirName(path.basename(projectDir));
      const why = `Cannot infer a valid agent name from the entrypoint ${entrypoint}: "${inferred}" ${AGENT_NAME_RULE}`;
      if (!fromDir && !deps.prompter.interactive) {
        throw new UsageError(`${why}.`, { hint: "Pass --name <agent> (e.g. --name my_agent).", code: "MissingValue" });
      }
      deps.output.warn(fromDir ? `${why}; suggesting the project directory's name "${fromDir}" instead.` : `${why}.`);
      suggestion = fromDir;
    }
  }
  const name = await deps.prompter.input({
    message: "Agent name",
    flag: "--name",
    default: suggestion,
    validate: (value) => agentNameProblem(value) ?? true,
  });
  return checkName(name);
}

/** requirements.txt / pyproject.toml (python) or package.json (node): next to the entrypoint, then each parent up to the project. */
async function detectRequirements(projectDir: string, entrypoint: string, language: Language): Promise<string | undefined> {
  const names = language === "python" ? ["requirements.txt", "pyproject.toml"] : ["package.json"];
  let dir = path.posix.dirname(entrypoint);
  for (;;) {
    for (const name of names) {
      const candidate = dir === "." ? name : `${dir}/${name}`;
      if (await isFile(path.join(projectDir, candidate))) return candidate;
    }
    if (dir === ".") return undefined;
    dir = path.posix.dirname(dir);
  }
}

async function resolveRequirements(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  projectDir: string,
  entrypoint: string,
  language: Language,
  existing: AgentConfig | undefined,
): Promise<string | null> {
  const check = async (given: string): Promise<string> => {
    const relative = projectRelative(projectDir, deps.cwd, given, "requirements file", "--requirements-file");
    if (!(await isFile(path.join(projectDir, relative)))) {
      throw new ValidationError(`The requirements file ${given} does not exist.`, {
        hint:
          language === "python"
            ? "Pass --requirements-file with a requirements.txt or pyproject.toml."
            : "Pass --requirements-file with the agent's package.json.",
        code: "RequirementsNotFound",
      });
    }
    const base = path.posix.basename(relative);
    const fits = language === "python" ? base === "pyproject.toml" || base.endsWith(".txt") : base === "package.json";
    if (!fits) {
      throw new ValidationError(
        `${relative} is not a ${language === "python" ? "requirements .txt file or pyproject.toml" : "package.json"} (the entrypoint is ${language === "python" ? "Python" : "Node"}).`,
        {
          hint:
            language === "python"
              ? "Pass --requirements-file requirements.txt or pyproject.toml."
              : "Pass --requirements-file package.json.",
          code: "WrongRequirementsFile",
        },
      );
    }
    return relative;
  };
  if (inputs.requirementsFile !== undefined) return check(inputs.requirementsFile);
  if (existing?.requirementsFile && existing.language === language && (await isFile(path.join(projectDir, existing.requirementsFile)))) {
    return existing.requirementsFile;
  }
  const detected = await detectRequirements(projectDir, entrypoint, language);
  if (detected) return detected;
  if (!deps.prompter.interactive) {
    if (language === "node") return null; // planNodeDockerfile explains what is missing
    deps.output.warn(
      `No requirements.txt or pyproject.toml found for ${entrypoint}: the image installs no dependencies (pass --requirements-file to name one).`,
    );
    return null;
  }
  const answer = await deps.prompter.input({
    message: language === "python" ? "Requirements file (requirements.txt or pyproject.toml; Enter for none)" : "The agent's package.json",
    flag: "--requirements-file",
    optional: language === "python",
    validate: (value) =>
      (value === "" && language === "python") || existingPath(path.resolve(deps.cwd, value)) === "file" || `${value} does not exist`,
  });
  return answer === "" ? null : check(answer);
}

interface AuthSources {
  dotenv: Record<string, string>;
  cognito?: CognitoConfig;
  existing?: AgentConfig;
}

interface DefaultSource {
  origin: string;
  discoveryUrl?: string;
  allowedClients?: string[];
  allowedAudience?: string[];
  allowedScopes?: string[];
  customClaims?: unknown[];
}

interface ResolvedAuth {
  authorizer: AuthorizerConfiguration | null;
  /** Where the authorizer came from, for the summary. */
  source: string;
}

function defaultSources({ dotenv, cognito, existing }: AuthSources): DefaultSource[] {
  const sources: DefaultSource[] = [];
  const current = existing?.authorizerConfiguration?.customJWTAuthorizer;
  const envUrl = nonEmpty(dotenv.COGNITO_DISCOVERY_URL);
  const envClient = nonEmpty(dotenv.COGNITO_CLIENT_ID);
  const fromEnv: DefaultSource | undefined =
    envUrl || envClient
      ? { origin: ".env", discoveryUrl: envUrl, allowedClients: envClient ? parseList(envClient) : undefined }
      : undefined;
  const fromCognito: DefaultSource | undefined = cognito
    ? {
        origin: `the cognito section of ${CONFIG_FILE_NAME} (cognito setup)`,
        discoveryUrl: cognito.discoveryUrl,
        allowedClients: [cognito.clientId],
      }
    : undefined;
  // An agent on a Cognito pool follows the project's pool: after `cognito setup` moved the project to
  // another pool (e.g. from the embedded Cognito to AWS), reconfiguring picks the new one up.
  const followsProjectPool =
    current !== undefined &&
    fromCognito !== undefined &&
    current.discoveryUrl !== fromCognito.discoveryUrl &&
    isCognitoDiscoveryUrl(current.discoveryUrl);
  if (current && !followsProjectPool) sources.push({ origin: "the agent's current settings", ...current });
  if (followsProjectPool && fromCognito) sources.push(fromCognito);
  if (fromEnv) sources.push(fromEnv);
  if (fromCognito && !followsProjectPool) sources.push(fromCognito);
  if (current && followsProjectPool) sources.push({ origin: "the agent's current settings", ...current });
  return sources;
}

async function resolveAuthorizer(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  fromFlag: AuthorizerConfiguration | null | undefined,
  sources: AuthSources,
): Promise<ResolvedAuth> {
  const { prompter, output } = deps;
  if (fromFlag !== undefined) return { authorizer: fromFlag, source: "--authorizer-config" };

  const candidates = defaultSources(sources);
  const listFlags = inputs.allowedClients !== undefined || inputs.allowedAudience !== undefined || inputs.allowedScopes !== undefined;
  const existingIsIam = sources.existing !== undefined && sources.existing.authorizerConfiguration === null;
  let useJwt: boolean;
  if (inputs.discoveryUrl !== undefined || listFlags) {
    useJwt = true;
  } else if (prompter.interactive) {
    useJwt =
      (await prompter.select({
        message: "Inbound auth: how do callers authenticate?",
        flag: "--discovery-url",
        choices: [
          { value: "jwt", name: "JWT bearer tokens (OAuth/OIDC: Amazon Cognito or any OIDC issuer)" },
          { value: "iam", name: "IAM (AWS SigV4)" },
        ],
        default: existingIsIam ? "iam" : "jwt",
      })) === "jwt";
  } else {
    // Reconfiguring keeps an agent's IAM choice; a new agent gets JWT when .env or `cognito setup` supplied an issuer.
    useJwt = !existingIsIam && candidates.some((source) => source.discoveryUrl !== undefined);
  }
  if (!useJwt) {
    if (!existingIsIam && !prompter.interactive)
      output.warn(`No JWT issuer configured: the agent uses IAM (SigV4) inbound auth. ${IAM_HINT}`);
    return { authorizer: null, source: existingIsIam ? "the agent's current settings" : "default" };
  }

  const urlSource = candidates.find((source) => source.discoveryUrl !== undefined);
  const discoveryUrl =
    inputs.discoveryUrl ??
    (await prompter.input({
      message: "OIDC discovery URL (https://…/.well-known/openid-configuration)",
      flag: "--discovery-url",
      default: urlSource?.discoveryUrl,
      validate: (value) => {
        try {
          checkDiscoveryUrl(value.trim());
          return true;
        } catch (error) {
          return (error as Error).message;
        }
      },
    }));
  let source = inputs.discoveryUrl !== undefined ? "flags" : prompter.interactive ? "answers" : (urlSource?.origin ?? "flags");

  if (listFlags) {
    return {
      authorizer: buildJwtAuthorizer({
        discoveryUrl,
        allowedClients: parseList(inputs.allowedClients),
        allowedAudience: parseList(inputs.allowedAudience),
        allowedScopes: parseList(inputs.allowedScopes),
      }),
      source,
    };
  }
  // The lists come from the first source that describes the same issuer (a client ID belongs to its pool);
  // .env may name a client ID without a URL.
  const listSource =
    candidates.find((candidate) => candidate.discoveryUrl === discoveryUrl) ??
    candidates.find((candidate) => candidate.discoveryUrl === undefined && candidate.allowedClients);
  const customClaims = listSource?.customClaims;
  if (!prompter.interactive) {
    if (inputs.discoveryUrl !== undefined && listSource) source = `flags and ${listSource.origin}`;
    const lists = {
      allowedClients: listSource?.allowedClients ?? [],
      allowedAudience: listSource?.allowedAudience ?? [],
      allowedScopes: listSource?.allowedScopes ?? [],
    };
    return { authorizer: buildJwtAuthorizer({ discoveryUrl, ...lists, customClaims }), source };
  }
  for (;;) {
    const ask = (message: string, flag: string, current?: string[]) =>
      prompter
        .input({
          message: `${message} (comma-separated; Enter for none${current?.length ? ", - to clear" : ""})`,
          flag,
          default: current?.join(","),
          optional: true,
        })
        .then((answer) => (answer.trim() === "-" ? [] : parseList(answer)));
    const allowedClients = await ask("Allowed client IDs (Cognito: the app client ID)", "--allowed-clients", listSource?.allowedClients);
    const allowedAudience = await ask("Allowed audiences (aud claim)", "--allowed-audience", listSource?.allowedAudience);
    const allowedScopes = await ask("Allowed scopes", "--allowed-scopes", listSource?.allowedScopes);
    if (allowedClients.length || allowedAudience.length || allowedScopes.length || customClaims?.length) {
      return { authorizer: buildJwtAuthorizer({ discoveryUrl, allowedClients, allowedAudience, allowedScopes, customClaims }), source };
    }
    output.warn("A JWT authorizer needs at least one allowed client ID, audience or scope.");
  }
}

async function resolveHeaderAllowlist(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  jwt: boolean,
  existing: AgentConfig | undefined,
): Promise<{ names: string[]; note?: string }> {
  const { prompter } = deps;
  let note: string | undefined;
  let names =
    inputs.requestHeaderAllowlist !== undefined ? parseList(inputs.requestHeaderAllowlist) : [...(existing?.requestHeaderAllowlist ?? [])];
  if (!jwt && inputs.requestHeaderAllowlist === undefined && hasHeader(names, AUTHORIZATION_HEADER)) {
    // Switching an agent to IAM: AgentCore refuses an allowlisted Authorization header without a JWT authorizer.
    names = names.filter((header) => header.toLowerCase() !== AUTHORIZATION_HEADER.toLowerCase());
    note = `Removed ${AUTHORIZATION_HEADER} from the request header allowlist (only allowed with a JWT authorizer).`;
  }
  if (jwt && !hasHeader(names, AUTHORIZATION_HEADER)) {
    const add = await prompter.confirm({
      message: "Forward the caller's Authorization header to the agent, so it can read the JWT's claims (user, scopes)?",
      default: true,
    });
    if (add) {
      names = [AUTHORIZATION_HEADER, ...names];
      note = `Added ${AUTHORIZATION_HEADER} to the request header allowlist: the agent receives the caller's validated JWT and can read its claims.`;
    }
  }
  return { names: checkHeaderAllowlist(names, jwt), note };
}

async function resolveRegion(
  deps: ConfigureDeps,
  dotenvRegion: string | undefined,
  cognito: CognitoConfig | undefined,
  existing: AgentConfig | undefined,
  discoveryUrl: string | undefined,
): Promise<string | undefined> {
  const fallback = nonEmpty(dotenvRegion) ?? cognito?.region ?? existing?.region ?? cognitoRegionOf(discoveryUrl);
  let region = await deps.region(fallback);
  if (!region && deps.prompter.interactive) {
    region = await deps.prompter.input({
      message: "AWS region to deploy to",
      flag: "--region",
      validate: (value) => (REGION.test(value.trim()) ? true : `"${value}" is not an AWS region (e.g. us-east-1)`),
    });
  }
  if (region !== undefined && !REGION.test(region)) {
    throw new ValidationError(`"${region}" is not an AWS region.`, { hint: "Pass --region with e.g. us-east-1.", code: "InvalidRegion" });
  }
  return region;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

interface PlannedFile {
  /** Relative to the project directory. */
  relative: string;
  absolute: string;
  content: string;
  action: FileAction;
  /** For a kept file: why it was kept, shown to the user. */
  note?: string;
}

interface PlannedFiles {
  dockerfile: PlannedFile;
  dockerignore: PlannedFile;
}

/**
 * Which Dockerfile this agent uses and what happens to it. Several agents in one project each get
 * their own: the first `Dockerfile`, a later one `<name>.Dockerfile` when `Dockerfile` was generated
 * for another agent of this config.
 */
async function planFiles(
  projectDir: string,
  plan: DockerfilePlan,
  config: AgentcoreConfig,
  existing: AgentConfig | undefined,
  force: boolean,
  output: Output,
): Promise<PlannedFiles> {
  let dockerfileName = existing?.dockerfile ?? "Dockerfile";
  if (!existing?.dockerfile) {
    const current = await readIfExists(path.join(projectDir, "Dockerfile"));
    const owner = current === undefined ? undefined : generatedFor(current);
    const ownerAgent = owner === undefined || owner === plan.agentName ? undefined : config.agents[owner];
    if (ownerAgent && (ownerAgent.dockerfile ?? "Dockerfile") === "Dockerfile") dockerfileName = `${plan.agentName}.Dockerfile`;
  }
  let dockerfileContent: string;
  let ignoreTemplate: string;
  if (plan.language === "python") {
    dockerfileContent = renderPythonDockerfile(await readTemplate("Dockerfile.python"), plan);
    ignoreTemplate = "dockerignore.python";
  } else {
    const node = await planNodeDockerfile(projectDir, plan.entrypoint, plan.requirementsFile);
    for (const note of node.notes) output.warn(note);
    dockerfileContent = renderNodeDockerfile(await readTemplate("Dockerfile.node"), plan, node);
    ignoreTemplate = "dockerignore.node";
  }
  const dockerfile = await planFile(projectDir, dockerfileName, dockerfileContent, force);
  if (dockerfile.action === "kept") {
    const current = (await readIfExists(dockerfile.absolute)) ?? "";
    const owner = generatedFor(current);
    dockerfile.note =
      owner === undefined
        ? "your own Dockerfile; make sure it builds a linux/arm64 image serving port 8080"
        : "it differs from what configure would write now; pass --force to regenerate it";
  }
  const dockerignore = await planFile(projectDir, ".dockerignore", await readTemplate(ignoreTemplate), force);
  if (dockerignore.action === "kept") {
    const current = (await readIfExists(dockerignore.absolute)) ?? "";
    const lines = current.split(/\r?\n/).map((line) => line.trim());
    if (!lines.some((line) => /^(\*\*\/)?\/?\.env\*?$/.test(line))) {
      output.warn(
        `${dockerignore.relative} does not exclude .env: secrets in it would be copied into the image. Add a line ".env" (or pass --force to regenerate the file).`,
      );
    }
  }
  return { dockerfile, dockerignore };
}

async function planFile(projectDir: string, relative: string, content: string, force: boolean): Promise<PlannedFile> {
  const absolute = path.join(projectDir, relative);
  const current = await readIfExists(absolute);
  const action: FileAction = current === undefined ? "written" : current === content ? "unchanged" : force ? "overwritten" : "kept";
  return { relative, absolute, content, action };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Applies the change to a copy of the loaded config and validates it exactly as the store will. */
function precheckConfig(file: string, config: AgentcoreConfig, apply: (config: AgentcoreConfig) => void): void {
  const copy = structuredClone(config);
  apply(copy);
  const parsed = configSchema.safeParse(copy);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
    throw new ValidationError(`The new configuration is invalid: ${issues.join("; ")}.`, { code: "ConfigInvalid", details: { issues } });
  }
  assertNoSecrets(JSON.stringify(parsed.data, null, 2), file);
}

/**
 * Writes the Dockerfile and .dockerignore, then the config. If the config write fails, the files
 * this run wrote are put back as they were, so nothing is left half-configured.
 */
async function writeAll(configFile: string, files: PlannedFiles, apply: (config: AgentcoreConfig) => void): Promise<AgentcoreConfig> {
  const undo: (() => Promise<void>)[] = [];
  try {
    for (const file of [files.dockerfile, files.dockerignore]) {
      if (file.action !== "written" && file.action !== "overwritten") continue;
      const previous = await readIfExists(file.absolute);
      await writeFileAtomic(file.absolute, file.content);
      undo.push(() => (previous === undefined ? fsp.rm(file.absolute, { force: true }) : writeFileAtomic(file.absolute, previous)));
    }
    return await updateConfig(configFile, apply);
  } catch (error) {
    for (const restore of undo.reverse()) await restore().catch(() => undefined);
    throw error;
  }
}

interface Report {
  configFile: string;
  projectDir: string;
  agent: AgentConfig;
  files: PlannedFiles;
  authSource: string;
  existing: boolean;
}

function describeFile(file: PlannedFile): string {
  switch (file.action) {
    case "written":
      return `Wrote ${file.relative}`;
    case "overwritten":
      return `Overwrote ${file.relative} (--force)`;
    case "unchanged":
      return `${file.relative} is up to date`;
    case "kept":
      return `Kept the existing ${file.relative}${file.note ? `: ${file.note}` : " (pass --force to regenerate it)"}`;
  }
}

function report(output: Output, r: Report): void {
  const { agent, files } = r;
  const jwt = agent.authorizerConfiguration?.customJWTAuthorizer;
  const kept = (file: PlannedFile) => file.action === "kept" || file.action === "unchanged";
  (kept(files.dockerfile) ? output.info.bind(output) : output.success.bind(output))(
    `${describeFile(files.dockerfile)}${kept(files.dockerfile) ? "" : ` (${agent.language === "python" ? "Python" : "Node"}, linux/arm64, port 8080)`}`,
  );
  (kept(files.dockerignore) ? output.info.bind(output) : output.success.bind(output))(describeFile(files.dockerignore));
  output.success(`${r.existing ? "Updated" : "Added"} agent "${agent.name}" in ${r.configFile} (default agent)`);
  const rows: [string, string][] = [
    ["Entrypoint", `${agent.entrypoint} (${agent.language})`],
    ["Dependencies", agent.requirementsFile ?? "none"],
    ["Region", agent.region ?? "not set (launch uses --region or AWS_REGION)"],
    ["Execution role", agent.executionRole === "auto" ? "created at launch" : agent.executionRole],
    ["ECR repository", agent.ecrRepository === "auto" ? "created at launch" : agent.ecrRepository],
    ["Inbound auth", jwt ? `JWT (customJWTAuthorizer), from ${r.authSource}` : "IAM (SigV4)"],
  ];
  if (jwt) {
    rows.push(["  discovery URL", jwt.discoveryUrl]);
    if (jwt.allowedClients) rows.push(["  allowed clients", jwt.allowedClients.join(", ")]);
    if (jwt.allowedAudience) rows.push(["  allowed audience", jwt.allowedAudience.join(", ")]);
    if (jwt.allowedScopes) rows.push(["  allowed scopes", jwt.allowedScopes.join(", ")]);
    if (jwt.customClaims) rows.push(["  custom claims", `${jwt.customClaims.length}`]);
  }
  rows.push(["Header allowlist", agent.requestHeaderAllowlist.length ? agent.requestHeaderAllowlist.join(", ") : "none"]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) output.info(`  ${label.padEnd(width)}  ${value}`);
  output.info("");
  output.info("Next:");
  output.info(`  agentcore-ts launch --local   run it here${jwt ? " behind a gateway that enforces its JWT authorizer" : ""}`);
  if (jwt && isLoopbackHost(new URL(jwt.discoveryUrl).hostname)) {
    // AgentCore Runtime fetches the discovery document from AWS: an issuer on this machine only works locally.
    output.info("  (the issuer runs on this machine, so AgentCore Runtime in AWS cannot reach it: for `agentcore-ts launch`,");
    output.info("   configure an issuer AWS can reach, e.g. run `agentcore-ts cognito setup` without --local, then configure again)");
  } else {
    output.info("  agentcore-ts launch           build (linux/arm64), push and deploy it to AgentCore Runtime");
  }
}
