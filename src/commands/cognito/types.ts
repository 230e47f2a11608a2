/** Inputs and results of the `cognito` commands (setup, delete, local start|stop|status). */
import type { CommandContext } from "../../core/context.js";
import type { EmbeddedCognitoInfo } from "../../embedded-cognito/control.js";

export interface CognitoSetupInput {
  poolName?: string;
  clientName?: string;
  username?: string;
  passwordStdin?: boolean;
  /** Set a new password for an existing user (the given one, else a generated one). */
  resetPassword?: boolean;
  /** true: embedded Cognito; false: AWS; undefined: as recorded in .agentcore.json, else AWS. */
  local?: boolean;
  writeTokenToEnv?: boolean;
  /** Also set up machine-to-machine tokens: resource server, domain, confidential client, a first token. */
  m2m?: boolean;
  /** Scope names besides `invoke` on the resource server (--m2m). */
  scopes?: string[];
  /** The user pool domain prefix (--m2m, --browser-login; default derived from the pool). */
  domain?: string;
  /** Enable the authorization-code flow on the public client (callback http://localhost:PORT/callback, a domain). */
  browserLogin?: boolean;
  /** The loopback callback port for --browser-login (default 8976). */
  redirectPort?: number;
}

export type ResourceStatus = "created" | "reused" | "recreated";

/** The --json document of `cognito setup`. */
export interface CognitoSetupDocument {
  local: boolean;
  region: string;
  userPool: { id: string; name: string; status: ResourceStatus };
  appClient: { id: string; name: string; status: ResourceStatus; updated?: boolean };
  user: { username: string; status: "created" | "reused"; passwordSet: boolean };
  discoveryUrl: string;
  clientId: string;
  accessToken: { masked: string; expiresAt: string; expiresInSeconds: number; method: "password" | "refresh_token" };
  files: { config: string; env: string; envKeys: string[] };
  /** With --m2m: what was found or created, and the first token's expiry (never the token or the secret). */
  m2m?: {
    resourceServer: { identifier: string; status: ResourceStatus | "updated" };
    domain: { name: string; status: ResourceStatus };
    client: { id: string; name: string; status: ResourceStatus | "updated" };
    scopes: string[];
    tokenEndpoint: string;
    token: { expiresAt: string; scope: string };
  };
  /** With --browser-login: the registered callback and the domain serving the sign-in. */
  browserLogin?: { redirectUri: string; domain: string; updated: boolean };
  /** Only when this run generated the password: shown once, never stored. */
  generatedPassword?: string;
  next: string;
}

export interface CognitoSetupResult extends CognitoSetupDocument {
  /** Whether .env got a new or changed value (for the summary; not in the --json document). */
  envChanged: boolean;
}

export interface CognitoDeleteInput {
  yes?: boolean;
}

/** The --json document of `cognito delete`. */
export interface CognitoDeleteDocument {
  deleted: boolean;
  userPoolId?: string;
  poolName?: string;
  local?: boolean;
  /** "deleted", "already gone" or "kept" (the user said no). */
  pool?: "deleted" | "already-gone" | "kept";
  cachedTokensRemoved?: number;
  envKeysRemoved?: string[];
  /** Agents whose customJWTAuthorizer still names the deleted pool's discovery URL (they need `configure` again). */
  agentsStillUsingPool?: string[];
}

export interface CognitoDeleteResult extends CognitoDeleteDocument {
  /** The .agentcore.json whose cognito section was (or would have been) removed; none found: undefined. Not in --json. */
  configFile?: string;
}

export interface CognitoLocalStatus {
  running: boolean;
  endpoint: string;
  dataDir: string;
  pid?: number;
  mode?: EmbeddedCognitoInfo["mode"];
  /** Commands holding an on-demand server open right now. */
  holds?: number;
  startedAt?: string;
  pools: number;
}

export interface CognitoLocalStartInput {
  /** Run in the background with a pid file and return at once. */
  detach?: boolean;
  /** Foreground: resolves when the server should stop (default: SIGINT, SIGTERM or SIGHUP). */
  until?: Promise<unknown>;
}

/** A start that returned at once: it found one running and reused it, or started one in the background. */
export interface CognitoLocalStartResult extends CognitoLocalStatus {
  /** Which of the two (for the printer; not in the --json document, which is the status). */
  started: "already-running" | "detached";
  /** How long a detached start took (for the printer; not in --json). */
  startedInMs?: number;
}

/**
 * What `cognito local start` in the foreground reports while it runs, at the moment each happens: the
 * server it started is up, then it was stopped. commands/cognito/print.ts renders them
 * (cognitoLocalReporter); tests may record them.
 */
export interface CognitoLocalReporter {
  ready(status: CognitoLocalStatus, startedInMs: number): void;
  stopped(): void;
}

/** The --json document of `cognito local stop`. */
export interface CognitoLocalStopDocument {
  stopped: boolean;
  wasRunning: boolean;
  pid?: number;
}

export interface CognitoLocalStopResult extends CognitoLocalStopDocument {
  /** Where its data stays (for the summary; not in --json). */
  dataDir: string;
}

/** What `cognito setup` needs from its caller; a CommandContext has all of it. */
export type SetupContext = Pick<CommandContext, "cwd" | "env" | "output" | "prompter" | "stdin" | "aws" | "region" | "dotenv">;
