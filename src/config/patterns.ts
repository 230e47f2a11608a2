/**
 * The AWS API's constraints (bedrock-agentcore-control 2023-06-05), anchored: the service validates
 * them as full matches. One place, shared by the schema, `configure` and the test fakes.
 */
export const AGENT_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;
export const DISCOVERY_URL = /^.+\/\.well-known\/openid-configuration$/;
export const HEADER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,255}$/;
export const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,255}$/;
export const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;
export const ENV_KEY = /^.{1,100}$/s;
export const MAX_HEADER_ALLOWLIST = 20;
export const MAX_ENV_VARS = 50;
export const MAX_ENV_VALUE = 5000;
/** VpcConfig members (aws-contracts.md §1, from the model). */
export const SUBNET_ID = /^subnet-[0-9a-zA-Z]{8,17}$/;
export const SECURITY_GROUP_ID = /^sg-[0-9a-zA-Z]{8,17}$/;
/** lifecycleConfiguration's idleRuntimeSessionTimeout and maxLifetime, in seconds. */
export const LIFECYCLE_MIN = 60;
export const LIFECYCLE_MAX = 1209600;

/** Header names the service refuses in a request header allowlist (runtime-header-allowlist doc). */
const RESTRICTED_HEADERS = new Set([
  "accept",
  "accept-charset",
  "accept-encoding",
  "accept-language",
  "content-length",
  "content-type",
  "content-encoding",
  "content-md5",
  "host",
  "user-agent",
  "cookie",
  "set-cookie",
  "proxy-authorization",
  "www-authenticate",
  "origin",
  "connection",
  "upgrade",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "expect",
  "referer",
  "access-control-allow-origin",
  "access-control-allow-headers",
  "access-control-allow-methods",
  "access-control-request-method",
  "access-control-request-headers",
]);

/** Why a header name may not be allowlisted, or undefined when it may. */
export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) {
    return `"${name}" is not a valid header name (letters, digits, '-' and '_', starting with a letter, at most 256 characters)`;
  }
  const lower = name.toLowerCase();
  if (lower.startsWith("x-amz-")) return `"${name}": headers starting with X-Amz- cannot be allowlisted`;
  if (lower.startsWith("x-amzn-") && !lower.startsWith("x-amzn-bedrock-agentcore-runtime-custom-")) {
    return `"${name}": X-Amzn- headers cannot be allowlisted, except those starting with X-Amzn-Bedrock-AgentCore-Runtime-Custom-`;
  }
  if (RESTRICTED_HEADERS.has(lower) || lower.startsWith("x-forwarded-") || lower.startsWith("sec-websocket-")) {
    return `"${name}" is a restricted header and cannot be allowlisted`;
  }
  return undefined;
}

/** True for hosts that may use plain http in a discovery URL (local issuers only). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith(".localhost");
}

/** Why a discovery URL is unacceptable, or undefined when it is fine. */
export function discoveryUrlProblem(url: string): string | undefined {
  if (!DISCOVERY_URL.test(url)) {
    return `discovery URL "${url}" must end with /.well-known/openid-configuration`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `discovery URL "${url}" is not a valid URL`;
  }
  if (parsed.protocol === "https:") return undefined;
  if (parsed.protocol === "http:" && isLoopbackHost(parsed.hostname)) return undefined;
  return `discovery URL "${url}" must use https (http is allowed only for loopback hosts)`;
}

/** Splits "a, b,,c" into ["a","b","c"]: on commas, trimmed, empties dropped (the toolkit's ", " split bug avoided). */
export function splitList(value: string | undefined | null): string[] {
  if (value === undefined || value === null) return [];
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
