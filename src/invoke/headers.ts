/**
 * `invoke -H 'Name: Value'`: extra request headers, sent on every transport (bearer HTTPS, SigV4 through
 * the SDK, the local gateway). AgentCore Runtime forwards to the agent only the headers on the agent's
 * requestHeaderAllowlist and drops the rest
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-header-allowlist.html), so a
 * header that is not on it gets a warning before anything is sent.
 */
import { UsageError } from "../errors.js";

/** RFC 9110 §5.1 field names: a token. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** The documented limit of an allowlisted header's value. */
const MAX_VALUE_BYTES = 4096;

/** Set by invoke itself (auth, body, session, MCP): a -H would clash with or forge them. */
const OWN_HEADERS = new Set([
  "authorization",
  "content-type",
  "content-length",
  "accept",
  "host",
  "user-agent",
  "x-amzn-bedrock-agentcore-runtime-session-id",
  "x-amzn-bedrock-agentcore-runtime-user-id",
  "mcp-session-id",
  "mcp-protocol-version",
  "mcp-method",
  "mcp-name",
]);

function invalidHeader(flag: string, why: string): UsageError {
  return new UsageError(`-H "${flag}": ${why}`, {
    hint: "Write each header as -H 'Name: Value', e.g. -H 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant: acme'.",
    code: "InvalidHeader",
  });
}

/** The -H values as name → value (a repeated name keeps its last value; names as typed). */
export function parseHeaderFlags(flags: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const flag of flags ?? []) {
    const colon = flag.indexOf(":");
    if (colon <= 0) throw invalidHeader(flag, "expected Name: Value.");
    const name = flag.slice(0, colon).trim();
    const value = flag.slice(colon + 1).trim();
    if (!FIELD_NAME.test(name)) throw invalidHeader(flag, `"${name}" is not a valid header name.`);
    if (/[\r\n\0]/.test(value)) throw invalidHeader(flag, "a header value cannot hold line breaks.");
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw invalidHeader(flag, `the value is longer than ${MAX_VALUE_BYTES} bytes.`);
    const lower = name.toLowerCase();
    if (OWN_HEADERS.has(lower) || lower.startsWith("x-amz-")) {
      throw invalidHeader(flag, `invoke sets ${name} itself (auth, body, session or MCP headers); it cannot be given with -H.`);
    }
    const earlier = seen.get(lower);
    if (earlier !== undefined) delete headers[earlier];
    seen.set(lower, name);
    headers[name] = value;
  }
  return headers;
}

/** The names of `headers` that `allowlist` (case-insensitive) does not hold. */
export function headersNotAllowlisted(headers: Record<string, string>, allowlist: readonly string[]): string[] {
  const allowed = new Set(allowlist.map((h) => h.toLowerCase()));
  return Object.keys(headers).filter((name) => !allowed.has(name.toLowerCase()));
}
