/** The quickstart's inputs, its result (the --json document), and the shape of its table of steps. */
import type { CommandContext } from "../../core/context.js";
import type { EmbeddedCognito } from "../../embedded-cognito/control.js";
import type { LocalRuntime } from "../../local/runtime.js";
import type { Output } from "../../ui/output.js";

export interface QuickstartInputs {
  /** Only the local quickstart exists; false/undefined is a usage error naming the AWS commands. */
  local?: boolean;
  /** Project directory (default ./agentcore-quickstart), relative to cwd. */
  dir?: string;
  /** Use a non-empty directory that is not a quickstart project, and restore edited example files. */
  force?: boolean;
  /** Gateway / agent ports on 127.0.0.1 (default: 8081 / 8080 when free, else free ones; 0: any free port). */
  port?: string;
  agentPort?: string;
  /** HTTP (default: the example agent) or MCP (the example MCP server, called with tools/list and tools/call). */
  protocol?: string;
}

export interface QuickstartDeps {
  /** Aborts the run (default: SIGINT, SIGTERM or SIGHUP): everything started is stopped, and it fails with exit code 130. */
  signal?: AbortSignal;
}

export type QuickstartContext = Pick<CommandContext, "cwd" | "env" | "globals" | "output" | "aws" | "region" | "dotenv">;

/** One step in the --json document. */
export interface QuickstartStep {
  /** Stable id: embedded-cognito, cognito-setup, configure, launch-local, invoke-without-token, invoke-bearer, token-refresh, invoke-bearer-again, stop. */
  name: StepName;
  title: string;
  ok: boolean;
  ms: number;
  /** The command a user types to do the same. */
  command: string;
  /** Key facts (ids, URLs, statuses; never a token or password). */
  facts: Record<string, unknown>;
  warnings?: string[];
  /** Only for a failed step. */
  expected?: string;
  error?: string;
}

export interface QuickstartResult {
  ok: true;
  project: { dir: string; status: ProjectStatus; files: Record<string, number> };
  agent: string;
  totalMs: number;
  steps: QuickstartStep[];
  next: { local: string[]; aws: string[] };
}

export type ProjectStatus = "created" | "reused" | "adopted";

export interface CopyReport {
  created: string[];
  unchanged: string[];
  /** Edited by the user: kept unless --force. */
  kept: string[];
  restored: string[];
}

export interface LinkReport {
  linked: string[];
  /** Installed in the project by the user (npm install): left alone. */
  installed: string[];
}

/** A type, not an interface: facts are records (`QuickstartStep.facts`). */
export type StopFacts = {
  gatewayStopped?: boolean;
  agentStopped?: boolean;
  runtimeRecordRemoved?: boolean;
  embeddedCognito?:
    | "stopped"
    | "left running (it was running before the quickstart)"
    | "still used by another agentcore-ts command"
    | "still running";
};

/** The run's shared state: its fixed inputs, and what earlier steps started or learnt for the later ones and the stop. */
export interface RunState {
  readonly projectDir: string;
  readonly force: boolean;
  readonly port: number | undefined;
  readonly agentPort: number | undefined;
  /** Which example runs: the HTTP agent or the MCP server. */
  readonly protocol: "HTTP" | "MCP";
  /** The user's environment (the token cache and the runtime records are theirs). */
  readonly env: NodeJS.ProcessEnv;
  /** The operations' environment: the user's, with the quickstart user's password in memory and no stray token. */
  readonly opEnv: NodeJS.ProcessEnv;
  /** The agent's environment: offline, without the password or the user's AWS credentials. */
  readonly agentEnv: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  /** The context of an operation run inside a step: the project directory, non-interactive, progress to `output`. */
  context(output: Output): CommandContext;
  cognito?: Promise<EmbeddedCognito>;
  runtime?: Promise<LocalRuntime>;
  setup?: { discoveryUrl: string; clientId: string };
  copied?: CopyReport;
  invocationUrl?: string;
  /** Set by the stop step: the failure path does not stop a second time. */
  stopped?: StopFacts;
}

export type InvokeFacts = {
  status: number;
  contentType: string;
  events: number;
  tokenSource: string | null;
  sessionId: string;
  answer: string;
  caller: string | null;
};

/**
 * What each step reports: `facts` go into the --json document as they are; the rest is shown to a
 * person too (print.ts) but kept out of the document, which stays as it always was.
 */
export interface StepReports {
  "embedded-cognito": { facts: { endpoint: string; startedHere: boolean }; dataDir: string };
  "cognito-setup": {
    facts: {
      userPoolId: string;
      userPool: string;
      clientId: string;
      appClient: string;
      username: string;
      user: string;
      discoveryUrl: string;
      accessTokenExpiresAt: string;
      region: string;
    };
    poolName: string;
    clientName: string;
    tokenCache: string;
  };
  configure: {
    facts: {
      agent: string;
      entrypoint: string;
      discoveryUrl: string;
      allowedClients: string[];
      requestHeaderAllowlist: string[];
      files: { created: number; unchanged: number; kept: string[]; restored: number };
      linkedPackages: string[];
    };
    projectDir: string;
    copied: CopyReport;
    links: LinkReport;
  };
  "launch-local": {
    facts: Pick<LocalRuntime, "gatewayUrl" | "agentUrl" | "agentRuntimeArn" | "agentPid" | "mode" | "auth" | "logFile">;
    agentName: string;
  };
  "invoke-without-token": { facts: { status: number; errorType: string; message: string; wwwAuthenticate: string } };
  "invoke-bearer": { facts: InvokeFacts };
  "token-refresh": { facts: { method: string; username: string; expiresAt: string }; expiresInSeconds: number };
  "invoke-bearer-again": { facts: InvokeFacts };
  stop: { facts: StopFacts };
}

export type StepName = keyof StepReports;

/** One row of the table of steps (steps.ts), run in order by quickstart.ts. */
export interface StepDefinition<N extends StepName> {
  name: N;
  /** Names the step in errors: "Step 4/9 (launch --local) failed: …". */
  short: string;
  title: string;
  /** The command a user types to do the same (earlier steps' results filled in). */
  command(state: RunState): string;
  /** Completes "expected …" in the error of a failed step. */
  expected(state: RunState): string;
  /** Does the step; throws when it does not give the expected result. `output` takes the operations' progress. */
  run(state: RunState, output: Output): Promise<StepReports[N]>;
}

export type AnyStep = { [N in StepName]: StepDefinition<N> }[StepName];
