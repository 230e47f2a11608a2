/**
 * The invoke's links to modules other work delivers: the token cache (src/auth/tokens.ts) and the
 * local runtime records (src/local/runtime-state.ts). Kept in one file so the operation depends on
 * small interfaces (TokenCache, LocalTarget) that tests can replace.
 */
import { AgentcoreError } from "../errors.js";
import { noTokenError, type TokenCache } from "./token.js";

/** Where `invoke --local` sends its request. */
export interface LocalTarget {
  agentName: string;
  /** The local gateway's base URL; it serves the data-plane path /runtimes/{arn}/invocations. */
  gatewayUrl: string;
  agentRuntimeArn: string;
  region?: string;
  /** The local agent's log file, named when the agent fails (424). */
  logFile?: string;
}

export function defaultTokenCache(): TokenCache {
  return {
    async get() {
      throw noTokenError("This agent");
    },
    async forceRefresh() {
      throw noTokenError("This agent");
    },
  };
}

export async function readLocalTarget(_env: NodeJS.ProcessEnv, _agentName: string | undefined, _cwd: string): Promise<LocalTarget> {
  throw new AgentcoreError("No local runtime is running.", { code: "NoLocalRuntime", hint: "Start one with `agentcore-ts launch --local`." });
}
