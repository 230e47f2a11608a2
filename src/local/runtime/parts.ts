/**
 * The local runtime's parts, as constructors startLocalRuntime calls: the embedded Cognito, the
 * container engine probe, the agent runner and its health check, the gateway, the port probe and the
 * runtime record store. Each can be replaced through StartLocalRuntimeOptions.parts (tests, other
 * front ends); DEFAULT_PARTS are the real ones. Shape after wrangler's DevEnv, whose controllers are
 * injected as factories with the real ones as defaults
 * (https://github.com/cloudflare/workers-sdk/blob/main/packages/wrangler/src/api/startDevWorker/DevEnv.ts).
 */
import type { CustomJwtAuthorizer } from "../../config/schema.js";
import type { EmbeddedCognito } from "../../embedded-cognito/control.js";
import {
  type AgentSpec,
  type RunningAgent,
  type RunOptions,
  startAgentContainer,
  startAgentProcess,
  waitForHealthy,
} from "../agent-runner.js";
import { detectEngine, type EngineDetection } from "../engine.js";
import { type Gateway, type GatewayOptions, startGateway } from "../gateway.js";
import { pickPort } from "../ports.js";
import {
  type LocalRuntimeMode,
  type LocalRuntimeRecord,
  readLocalRuntime,
  removeLocalRuntime,
  removeLocalRuntimeSync,
  writeLocalRuntime,
} from "../runtime-state.js";

/** Where the runtime record lives (src/local/runtime-state.ts by default). */
export interface RuntimeRecordStore {
  read(env: NodeJS.ProcessEnv, agentName: string): Promise<LocalRuntimeRecord | undefined>;
  write(env: NodeJS.ProcessEnv, record: LocalRuntimeRecord): Promise<unknown>;
  remove(env: NodeJS.ProcessEnv, agentName: string): Promise<void>;
  /** For the process's "exit" event, where nothing asynchronous runs. */
  removeSync(env: NodeJS.ProcessEnv, agentName: string): void;
}

export interface StartAgentOptions extends RunOptions {
  mode: LocalRuntimeMode;
  /** The container engine's binary (container mode). */
  engineBinary?: string;
}

export interface LocalRuntimeParts {
  /** Starts or reuses the embedded Cognito when `jwt` points at it; undefined when it does not. */
  embeddedCognito(jwt: CustomJwtAuthorizer | null, env: NodeJS.ProcessEnv): Promise<EmbeddedCognito | undefined>;
  detectEngine(env: NodeJS.ProcessEnv): Promise<EngineDetection>;
  /** Starts the agent as a process or a container (not yet healthy). */
  startAgent(spec: AgentSpec, options: StartAgentOptions): Promise<RunningAgent>;
  waitForHealthy: typeof waitForHealthy;
  startGateway(options: GatewayOptions): Promise<Gateway>;
  /** `preferred` when it is free, else any free port. */
  pickPort(preferred: number): Promise<number>;
  records: RuntimeRecordStore;
}

async function embeddedCognitoFor(jwt: CustomJwtAuthorizer | null, env: NodeJS.ProcessEnv): Promise<EmbeddedCognito | undefined> {
  if (!jwt) return undefined;
  // Loaded only for JWT agents: IAM agents never pay for it.
  const { isEmbeddedCognitoUrl, ensureEmbeddedCognito } = await import("../../embedded-cognito/control.js");
  return isEmbeddedCognitoUrl(jwt.discoveryUrl, env) ? ensureEmbeddedCognito(env) : undefined;
}

export const DEFAULT_PARTS: LocalRuntimeParts = {
  embeddedCognito: embeddedCognitoFor,
  detectEngine,
  startAgent: (spec, { mode, engineBinary, ...run }) =>
    mode === "container" ? startAgentContainer(spec, { ...run, engineBinary: engineBinary! }) : startAgentProcess(spec, run),
  waitForHealthy,
  startGateway,
  pickPort,
  records: { read: readLocalRuntime, write: writeLocalRuntime, remove: removeLocalRuntime, removeSync: removeLocalRuntimeSync },
};
