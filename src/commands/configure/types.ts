/** Inputs, dependencies and results of `configure`. */
import type { AgentConfig } from "../../config/schema.js";
import type { CommandContext } from "../../core/context.js";

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
  /** HTTP, MCP, A2A or AGUI (any case). */
  protocol?: string;
  skipDiscoveryCheck?: boolean;
  force?: boolean;
  /** container (a linux/arm64 image, the default) or code (a zip on a managed runtime). */
  deploy?: string;
  /** NODE_22, PYTHON_3_12, ... (code agents). */
  runtime?: string;
  /** KEY=VALUE, repeatable. */
  env?: string[];
  envFile?: string;
  /** public or vpc. */
  network?: string;
  /** Comma-separated IDs, as typed. */
  subnets?: string;
  securityGroups?: string;
  /** Seconds, as typed. */
  idleTimeout?: string;
  maxLifetime?: string;
}

/** What configure needs from its caller: the parts of a CommandContext it uses, and what tests inject. */
export interface ConfigureDeps extends Pick<CommandContext, "cwd" | "output" | "prompter" | "region" | "dotenv"> {
  /** For AGENTCORE_TS_HOME / AGENTCORE_TS_COGNITO_PORT (the embedded Cognito); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** For the discovery-document check (tests inject one). */
  fetch?: typeof fetch;
  discoveryTimeoutMs?: number;
}

export type FileAction = "written" | "overwritten" | "kept" | "unchanged";

/** What happened to one of the files configure writes (paths relative to the project directory). */
export interface FileReport {
  relative: string;
  action: FileAction;
  /** For a kept file: why it was kept, shown to the user. */
  note?: string;
}

/** What configure did; `--json` prints only the saved agent (see the toJSON in configure.ts). */
export interface ConfigureResult {
  /** The agent as saved in .agentcore.json: the --json document. */
  agent: AgentConfig;
  configFile: string;
  /** The agent was in the config before (updated), else it was added. */
  updated: boolean;
  /** The project's default agent after the save: the one commands act on without --agent. */
  defaultAgent: string;
  /** Where the authorizer came from ("flags", ".env", the cognito section, ...), for the summary. */
  authSource: string;
  /** Absent for code agents (no image is built). */
  dockerfile?: FileReport;
  dockerignore: FileReport;
  /** A change configure made to the header allowlist on its own, said once the config is saved. */
  headerNote?: string;
}

/** `configure --set-default NAME`. */
export interface SetDefaultResult {
  configFile: string;
  defaultAgent: string;
  /** The default before (null: none was set). */
  previous: string | null;
  changed: boolean;
}
