/** The inputs and results of `launch` (to AWS) and `launch --local` (the foreground local runtime). */
import type { BuildMode, ImageSource } from "../../build/image.js";
import type { GatewayLogEvent } from "../../local/gateway.js";
import type { LocalRuntime } from "../../local/runtime.js";

export interface LaunchInputs {
  agentName?: string;
  build?: BuildMode;
  imageUri?: string;
  /** Maximum seconds for each wait (build, endpoint); default 900. */
  timeoutSeconds?: number;
  /** --watch without --local: refused (it reloads a local agent; a deployed one has nothing to reload). */
  watch?: boolean;
  /** --install without --local: refused (the image build installs a deployed agent's dependencies). */
  install?: boolean;
}

export interface LaunchResult {
  agent: string;
  region: string;
  account: string;
  /** created / updated: a new version was deployed; unchanged: nothing to do; resumed: waited for a deployment an earlier run started. */
  action: "created" | "updated" | "unchanged" | "resumed";
  runtimeId: string;
  runtimeArn: string;
  runtimeVersion: string;
  endpoint: { name: string; status: string; liveVersion: string };
  /** container: an image; code: a zip on a managed runtime (codeConfiguration). */
  artifact: "container" | "code";
  /** Container agents. */
  imageUri?: string;
  image?: ImageSource;
  ecrRepositoryUri?: string;
  /** Code agents: where the zip is, whether this launch uploaded it, and what it holds. */
  code?: {
    bucket: string;
    key: string;
    uploaded: boolean;
    sha256: string;
    bytes: number;
    files: number;
    runtime: string;
    entryPoint: string[];
  };
  executionRoleArn: string;
  executionRoleCreated: boolean;
  authorization: "customJWTAuthorizer" | "IAM";
  configurationHash: string;
  logGroup: string;
  /** The command to run next (invoke, with --agent when it was given). */
  next: string;
}

export interface LaunchLocalInputs {
  agentName?: string;
  port?: string;
  agentPort?: string;
  /** Run the agent as a process even when a container engine is reachable. */
  process?: boolean;
  /** Reload the agent when its sources change. */
  watch?: boolean;
  /** Install a process-mode agent's missing dependencies without asking. */
  install?: boolean;
}

/** One reload of `launch --local --watch`. */
export interface ReloadEvent {
  /** What changed, relative to the project directory. */
  changed: string[];
  /** The new agent answered its health probe. */
  ok: boolean;
  /** From the reload's start (the old agent stopping) to the new agent's health answer, or to the failure. */
  ms: number;
  /** ISO 8601, when the reload ended. */
  at: string;
  /** Why it failed. */
  reason?: string;
  /** The agent log's last lines, when it failed. */
  logTail?: string;
  /** The dependencies stayed missing after a manifest changed: the agent from before was kept running. */
  kept?: boolean;
}

/** The --json document of `launch --local`, printed once the runtime serves (the command then runs until stopped). */
export interface LocalLaunchDocument {
  agent: string;
  gatewayUrl: string;
  agentUrl: string;
  agentRuntimeArn: string;
  mode: LocalRuntime["mode"];
  auth: LocalRuntime["auth"];
  /** The agent's server protocol: which invoke example the ready lines print. */
  protocol: LocalRuntime["protocol"];
  logFile: string;
  /** This process: the one to signal to stop the runtime. */
  pid: number;
  /** --watch: the directory watched for changes, relative to the project. */
  watching?: string;
}

export interface LocalLaunchReady {
  document: LocalLaunchDocument;
  /** --agent was given: the invoke command printed for the user repeats it. */
  agentFlag: boolean;
}

/**
 * What `launch --local` reports while it runs in the foreground, at the moment each happens:
 * the runtime is ready, a gateway request was answered, a stop began, the stop is done.
 * commands/launch/print.ts renders them (localLaunchReporter); tests may record them.
 */
export interface LocalLaunchReporter {
  ready(ready: LocalLaunchReady): void;
  request(event: GatewayLogEvent): void;
  /** --watch: a reload ended. */
  reloaded(event: ReloadEvent): void;
  stopping(): void;
  stopped(): void;
}
