/**
 * The invoke's links to the token cache (src/auth/tokens.ts) and the local runtime records
 * (src/local/runtime-state.ts), behind the small interfaces the operation uses (CachedTokenSource,
 * LocalTarget) so tests can replace them. Both load lazily: only the path that needs them pays.
 */
import type { AwsClients } from "../aws/clients.js";
import { AgentcoreError } from "../errors.js";
import type { Output } from "../ui/output.js";
import type { BearerToken, CachedTokenQuery, CachedTokenSource } from "./token.js";

/** Where `invoke --local` sends its request. */
export interface LocalTarget {
  agentName: string;
  /** The local gateway's base URL; it serves the data-plane path /runtimes/{arn}/invocations. */
  gatewayUrl: string;
  agentRuntimeArn: string;
  /** The region in that ARN: the SigV4 signing region for IAM agents. */
  region?: string;
  /** The local agent's log file, named when the agent fails (424). */
  logFile?: string;
  /** The auth the gateway was started with (it may predate a config change). */
  auth?: "jwt" | "iam";
  /** The .agentcore.json it was started from: records are per agent name, and names repeat across projects. */
  configFile?: string;
}

/** The cached tokens of src/auth/tokens.ts: read (refreshed when about to expire) or force-refreshed. */
export function cachedTokens(aws: () => Promise<AwsClients>, output: Output): CachedTokenSource {
  const acquire = async (query: CachedTokenQuery, force: boolean): Promise<BearerToken> => {
    const tokens = await import("../auth/tokens.js");
    // The client factory only when a token must be renewed: a valid cached token needs no region or client.
    const options = { ...query, aws, output };
    const token = await (force ? tokens.forceRefresh(options) : tokens.getAccessToken(options));
    return { token: token.accessToken, source: "cache", expiresAt: token.expiresAt, refreshed: token.refreshed };
  };
  return {
    get: (query) => acquire(query, false),
    forceRefresh: (query) => acquire(query, true),
  };
}

export async function readLocalTarget(env: NodeJS.ProcessEnv, agentName: string): Promise<LocalTarget> {
  const { readLocalRuntime, listLocalRuntimes } = await import("../local/runtime-state.js");
  const record = await readLocalRuntime(env, agentName);
  if (!record) {
    const others = (await listLocalRuntimes(env)).map((r) => r.agentName);
    throw new AgentcoreError(`No local runtime is running for agent "${agentName}".`, {
      code: "NoLocalRuntime",
      hint:
        "Start it with `agentcore-ts launch --local` (it stays in the foreground: invoke from a second terminal)" +
        (others.length ? `, or pick a running one with --agent ${others.join(" / --agent ")}.` : "."),
    });
  }
  return {
    agentName: record.agentName,
    gatewayUrl: record.gatewayUrl,
    agentRuntimeArn: record.agentRuntimeArn,
    region: record.region,
    logFile: record.logFile,
    auth: record.auth,
    configFile: record.configFile,
  };
}
