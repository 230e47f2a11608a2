/**
 * `agentcore-ts configure`: adds or updates one agent in .agentcore.json and writes the Dockerfile
 * and .dockerignore that `launch` builds. Every value is collected (flag, prompt or default) and
 * validated first; only then are the files written, Dockerfile first and config last, so a failure
 * never leaves a config pointing at a Dockerfile that is not there.
 *
 * Defaults, in order: flags; the agent's current settings (reconfigure); .env (COGNITO_DISCOVERY_URL,
 * COGNITO_CLIENT_ID, AWS_REGION); the `cognito` section that `cognito setup` wrote.
 */
import path from "node:path";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import { isServerProtocol, PROTOCOL_CONTRACTS, SERVER_PROTOCOLS, type ServerProtocol } from "../../config/protocols.js";
import type { AgentConfig, AgentcoreConfig, CognitoConfig } from "../../config/schema.js";
import { configFileFor, emptyConfig, readConfigFile } from "../../config/store.js";
import { withJsonDocument } from "../../core/document.js";
import { UsageError, ValidationError } from "../../errors.js";
import { exists } from "../../util/fs.js";
import { nonEmpty } from "../../util/text.js";
import { checkDiscoveryDocument, resolveAuthorizer, resolveHeaderAllowlist } from "./authorizer.js";
import { checkDeployFlags, resolveDeploySettings } from "./deploy.js";
import { checkName, resolveEntrypoint, resolveName, resolveRequirements } from "./entrypoint.js";
import { fileReport, planFiles, precheckConfig, writeAll } from "./files.js";
import type { DockerfilePlan } from "./templates.js";
import type { ConfigureDeps, ConfigureInputs, ConfigureResult } from "./types.js";
import {
  checkDiscoveryUrl,
  checkEcrRepository,
  checkExecutionRole,
  checkHeaderAllowlist,
  cognitoRegionOf,
  isCognitoDiscoveryUrl,
  languageOf,
  parseAuthorizerConfig,
  parseList,
} from "./validate.js";

// The quickstart may import only this entry point of the folder (test/architecture): its types are re-exported here.
export type { ConfigureDeps, ConfigureInputs, ConfigureResult, FileAction, FileReport } from "./types.js";

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
  const protocolFromFlag = inputs.protocol === undefined ? undefined : parseProtocol(inputs.protocol);
  await checkDeployFlags(inputs, { cwd: deps.cwd });

  const configFile = await configFileFor(deps.cwd);
  const projectDir = path.dirname(configFile);
  // A broken config fails here, before anything is written (and it is never rewritten).
  const config: AgentcoreConfig = (await exists(configFile)) ? await readConfigFile(configFile) : await emptyConfig();
  if (projectDir !== path.resolve(deps.cwd))
    output.info(`Using ${configFile} (the nearest ${CONFIG_FILE_NAME}, in a parent directory; its directory is the build context).`);
  const dotenv = { ...(await deps.dotenv(projectDir)), ...(await deps.dotenv(deps.cwd)) };

  const entrypoint = await resolveEntrypoint(inputs, deps, projectDir, config);
  const language = languageOf(entrypoint);
  // --runtime against the entrypoint's language, before the next question.
  await checkDeployFlags(inputs, { cwd: deps.cwd }, language);
  const name = await resolveName(inputs, deps, projectDir, config, entrypoint);
  const existing = config.agents[name];
  if (existing) output.debug(`Updating the agent "${name}" in ${configFile}.`);

  const protocol = await resolveProtocol(deps, protocolFromFlag, existing);
  const settings = await resolveDeploySettings(inputs, { cwd: deps.cwd, output }, language, existing);
  const requirementsFile = await resolveRequirements(inputs, deps, projectDir, entrypoint, language, existing);
  const auth = await resolveAuthorizer(inputs, deps, authorizerFromFlag, { dotenv, cognito: config.cognito, existing });
  const jwt = auth.authorizer?.customJWTAuthorizer;
  const { names: requestHeaderAllowlist, note: headerNote } = await resolveHeaderAllowlist(inputs, deps, Boolean(jwt), existing);

  const region = await resolveRegion(deps, dotenv.AWS_REGION, config.cognito, existing, jwt?.discoveryUrl);
  const executionRole = inputs.executionRole ?? existing?.executionRole ?? "auto";
  // Only a flag value is checked here: a stored value may have been written by `launch`.
  const ecrRepository = inputs.ecr !== undefined ? checkEcrRepository(inputs.ecr, region).repository : (existing?.ecrRepository ?? "auto");

  if (jwt && !inputs.skipDiscoveryCheck && !auth.discoveryChecked) {
    await output.task(`Discovery document ${jwt.discoveryUrl}`, () => checkDiscoveryDocument(jwt.discoveryUrl, deps));
  }
  if (jwt && isCognitoDiscoveryUrl(jwt.discoveryUrl, config.cognito) && jwt.allowedAudience?.length && !jwt.allowedClients?.length) {
    output.warn(
      "Cognito access tokens carry client_id, not aud: with allowedAudience and no allowedClients, AgentCore rejects them. Use --allowed-clients <app client id> (ID tokens do carry aud, but agents are called with access tokens).",
    );
  }

  // Everything is known: render the files and check the whole new config before writing any of it.
  const plan: DockerfilePlan = { agentName: name, language, entrypoint, requirementsFile, protocol };
  const files = await planFiles(projectDir, plan, config, existing, Boolean(inputs.force), output, settings.deploy);
  const dockerfile = files.dockerfile?.relative ?? existing?.dockerfile;
  const fields = {
    name,
    entrypoint,
    language,
    platform: "linux/arm64" as const,
    ...(region ? { region } : {}),
    executionRole,
    ecrRepository,
    ...(dockerfile ? { dockerfile } : {}),
    requirementsFile,
    authorizerConfiguration: auth.authorizer,
    requestHeaderAllowlist,
    protocol,
    environmentVariables: settings.environmentVariables,
    // Written once chosen: an agent without it is a container agent (older configs stay as they are).
    ...(inputs.deploy !== undefined || existing?.deploy ? { deploy: settings.deploy } : {}),
    ...(settings.runtime ? { runtime: settings.runtime } : {}),
    ...(settings.networkConfiguration ? { networkConfiguration: settings.networkConfiguration } : {}),
    ...(settings.lifecycleConfiguration ? { lifecycleConfiguration: settings.lifecycleConfiguration } : {}),
  };
  const apply = (target: AgentcoreConfig) => {
    // Reconfigure keeps what other commands wrote (deployment, environment, unknown fields).
    // Key order: configure's fields first, then what others own, then unknown fields (readable JSON).
    const current: Partial<AgentConfig> = target.agents[name] ?? {};
    const kept = {
      deployment: current.deployment ?? null,
    };
    const merged: Partial<AgentConfig> = Object.assign({}, fields, kept, current, fields, kept);
    // A container agent has no managed runtime: a runtime left from an earlier --deploy code would mislead.
    if (settings.deploy === "container") delete merged.runtime;
    target.agents[name] = merged as AgentConfig;
    // The default agent is the first one configured, and configuring another does not move it (the
    // toolkit makes the last configured the default, which silently changed what a bare `launch` or
    // `invoke` acts on); it moves only when it names no agent. docs/configuration.md, "The default agent".
    if (target.defaultAgent === undefined || !(target.defaultAgent in target.agents)) target.defaultAgent = name;
  };
  precheckConfig(configFile, config, apply);

  const written = await writeAll(configFile, files, apply);
  const saved = written.agents[name]!;
  const result: ConfigureResult = {
    agent: saved,
    configFile,
    defaultAgent: written.defaultAgent ?? name,
    updated: existing !== undefined,
    authSource: auth.source,
    ...(files.dockerfile ? { dockerfile: fileReport(files.dockerfile) } : {}),
    dockerignore: fileReport(files.dockerignore),
    ...(headerNote ? { headerNote } : {}),
  };
  // The --json document is the saved agent, as it always was; the rest is for the summary.
  return withJsonDocument(result, (r) => r.agent);
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

/** The flag, else (on a terminal) a question defaulting to the agent's current protocol, else that or HTTP. */
async function resolveProtocol(
  deps: ConfigureDeps,
  fromFlag: ServerProtocol | undefined,
  existing: AgentConfig | undefined,
): Promise<ServerProtocol> {
  if (fromFlag) return fromFlag;
  const current = existing?.protocol ?? "HTTP";
  // A reconfigure keeps the protocol without asking again; a new agent is asked on a terminal.
  if (existing || !deps.prompter.interactive) return current;
  return deps.prompter.select<ServerProtocol>({
    message: "Server protocol: what does the agent serve?",
    flag: "--protocol",
    choices: SERVER_PROTOCOLS.map((value) => ({
      value,
      name: `${value}: ${PROTOCOL_CONTRACTS[value].summary}, port ${PROTOCOL_CONTRACTS[value].port}`,
    })),
    default: current,
  });
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

function parseProtocol(value: string): ServerProtocol {
  const upper = value.trim().toUpperCase();
  if (isServerProtocol(upper)) return upper;
  throw new UsageError(`--protocol "${value}" is not a server protocol.`, {
    hint: `Pass one of ${SERVER_PROTOCOLS.join(", ")}.`,
    code: "InvalidProtocol",
  });
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
