/** `token get`'s commander flags checked and turned into its input (bad values are usage errors). */
import { UsageError } from "../../errors.js";
import type { TokenGetFlowName, TokenGetInput } from "./types.js";

const FLOW_NAMES: readonly TokenGetFlowName[] = ["client-credentials", "authorization-code", "device"];

function positiveInteger(value: unknown, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} "${String(value)}" must be a whole number from 1 to ${max}.`, {
      code: flag === "--redirect-port" ? "BadPort" : "InvalidTimeout",
    });
  }
  return n;
}

export function parseTokenGetFlags(flags: Record<string, unknown>): TokenGetInput {
  const flow = flags.flow as string | undefined;
  if (flow !== undefined && !FLOW_NAMES.includes(flow as TokenGetFlowName)) {
    throw new UsageError(`--flow "${flow}" is not a flow agentcore-ts knows.`, {
      code: "UnsupportedFlow",
      hint: `Use one of: ${FLOW_NAMES.join(", ")}.`,
    });
  }
  const text = (key: string) => (typeof flags[key] === "string" ? (flags[key] as string) : undefined);
  const scopes = (flags.scope as string[] | undefined)?.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
  return {
    agentName: text("agent"),
    discoveryUrl: text("discoveryUrl"),
    clientId: text("clientId"),
    clientSecretStdin: flags.clientSecretStdin === true,
    saveClientSecret: flags.saveClientSecret === true,
    ...(scopes?.length ? { scopes } : {}),
    ...(flow ? { flow: flow as TokenGetFlowName } : {}),
    audience: text("audience"),
    resource: text("resource"),
    redirectPort: positiveInteger(flags.redirectPort, "--redirect-port", 65535),
    noBrowser: flags.browser === false,
    timeoutSeconds: positiveInteger(flags.timeout, "--timeout", 3600),
    force: flags.force === true,
  };
}
