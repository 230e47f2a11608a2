/** The inputs and results of `status` (the AWS runtime) and `status --local` (the runtimes of `launch --local`). */
import type { LocalRuntimeRecord } from "../../local/runtime-state.js";

export interface StatusInputs {
  agentName?: string;
}

export interface AuthorizationStatus {
  mode: "customJWTAuthorizer" | "IAM";
  discoveryUrl?: string;
  allowedClients?: string[];
  allowedAudience?: string[];
  allowedScopes?: string[];
  /** Where this came from: the deployed runtime, or .agentcore.json when nothing is deployed. */
  source: "deployed" | "config";
  /** False when the deployed authorizer differs from .agentcore.json (a launch would change it). */
  matchesConfig: boolean;
}

export interface TokenStatus {
  username: string;
  clientId: string;
  expiresAt: string;
  expired: boolean;
}

export interface StatusResult {
  agent: string;
  region: string;
  state: "not-launched" | "deleted" | "deployed";
  runtime?: { id: string; arn: string; status: string; version: string; failureReason?: string; lastUpdatedAt?: string };
  endpoint?: { name: string; status: string; liveVersion?: string; targetVersion?: string; failureReason?: string } | null;
  imageUri?: string;
  /** A code-deployed runtime's artifact (codeConfiguration): the zip in S3, its managed runtime and entry point. */
  code?: { runtime: string; s3Uri: string; versionId?: string; entryPoint: string[] };
  /** The server protocol: the deployed runtime's protocolConfiguration, else the configured one. */
  protocol: { serverProtocol: string; source: "deployed" | "config"; matchesConfig: boolean };
  authorization: AuthorizationStatus;
  /** The best matching cached access token (never the token itself); null when none matches; absent for IAM agents. */
  token?: TokenStatus | null;
  /** The log group, and the command that follows it. */
  logs?: { logGroup: string; command: string };
  next?: string;
}

export interface StatusLocalInputs {
  agentName?: string;
}

/** A runtime record of `launch --local` with the agent's answer to /ping ("Healthy", "HTTP 503", "unreachable (…)"). */
export type LocalRuntimeStatus = LocalRuntimeRecord & { health: string };

export interface StatusLocalResult {
  runtimes: LocalRuntimeStatus[];
}
