/**
 * `configure`'s checks, one function per input. Each takes what the user typed (or what a default
 * source supplied) and returns the normalised value or throws a ValidationError whose message names
 * the value and whose hint names the flag. Pure except for the discovery-document fetch.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { type DiscoveryDocument, fetchDiscovery } from "../../auth/discovery.js";
import { AUTHORIZER_SDK_MEMBERS } from "../../aws/runtime.js";
import {
  AGENT_NAME,
  discoveryUrlProblem,
  headerNameProblem,
  isLoopbackHost,
  MAX_HEADER_ALLOWLIST,
  ROLE_ARN,
  SCOPE,
  splitList,
} from "../../config/patterns.js";
import {
  type AuthorizerConfiguration,
  authorizerConfigurationSchema,
  type CognitoConfig,
  type CustomJwtAuthorizer,
  formatIssuePath,
} from "../../config/schema.js";
import { UsageError, ValidationError } from "../../errors.js";
import { closestMatch } from "../../util/suggest.js";

export type Language = "python" | "node";

export const AGENT_NAME_RULE = "must start with a letter and hold only letters, digits and '_' (1-48 characters)";
export const AUTHORIZATION_HEADER = "Authorization";

/** Why `name` cannot be an agent name, or undefined when it can. */
export function agentNameProblem(name: string): string | undefined {
  if (AGENT_NAME.test(name)) return undefined;
  return `"${name}" is not a valid agent name: it ${AGENT_NAME_RULE}`;
}

/**
 * The toolkit's inference: the entrypoint path relative to the project, extension dropped, and
 * '/', '\', '-', '.' and spaces turned into '_' (`agents/writer/main.py` -> `agents_writer_main`).
 * Returns the candidate even when it is invalid, so the caller can say why.
 */
export function inferAgentName(entrypointRelative: string): string {
  const withoutExt = entrypointRelative.replace(/\.(py|ts|mts|cts|js|mjs|cjs)$/i, "");
  return withoutExt.replace(/[\\/\s.-]+/g, "_").replace(/^_+|_+$/g, "");
}

/** A directory name made into an agent name (`my-project` -> `my_project`), or undefined when it cannot be one. */
export function sanitizeDirName(dirName: string): string | undefined {
  const candidate = dirName
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^[^A-Za-z]+/, "")
    .replace(/_+$/, "")
    .slice(0, 48);
  return AGENT_NAME.test(candidate) ? candidate : undefined;
}

const LANGUAGE_BY_EXTENSION: Record<string, Language> = {
  ".py": "python",
  ".ts": "node",
  ".mts": "node",
  ".js": "node",
  ".mjs": "node",
  ".cjs": "node",
};

export function languageOf(entrypoint: string): Language {
  const language = LANGUAGE_BY_EXTENSION[path.extname(entrypoint).toLowerCase()];
  if (!language) {
    throw new ValidationError(`Cannot tell the language of the entrypoint "${entrypoint}".`, {
      hint: "Use a .py file (Python) or a .ts, .js or .mjs file (Node/TypeScript) as --entrypoint.",
      code: "UnsupportedEntrypoint",
    });
  }
  return language;
}

/** Files configure looks for when --entrypoint is missing or names a directory, in this order. */
export const ENTRYPOINT_CANDIDATES = [
  "agent.py",
  "main.py",
  "app.py",
  "src/agent.ts",
  "src/index.ts",
  "src/main.ts",
  "agent.ts",
  "index.ts",
  "main.ts",
  "app.ts",
  "src/agent.js",
  "agent.js",
  "index.js",
  "main.js",
];

export async function findEntrypointIn(dir: string): Promise<string | undefined> {
  for (const candidate of ENTRYPOINT_CANDIDATES) {
    if (await isFile(path.join(dir, candidate))) return path.join(dir, candidate);
  }
  return undefined;
}

export async function isFile(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).isFile();
  } catch {
    return false;
  }
}

// Paths are written into the Dockerfile's COPY/RUN/CMD lines: keep them free of shell and Dockerfile syntax.
const PORTABLE_PATH = /^[A-Za-z0-9._@+/-]+$/;

/**
 * Resolves a user-given path (relative to cwd) to a path inside the project directory, stored
 * relative to it with '/' separators. `what` and `flag` name the value in errors.
 */
export function projectRelative(projectDir: string, cwd: string, given: string, what: string, flag: string): string {
  const absolute = path.resolve(cwd, given);
  const relative = path.relative(projectDir, absolute);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new ValidationError(`The ${what} "${given}" is outside the project directory ${projectDir}.`, {
      hint: `Pass a ${flag} inside ${projectDir} (the directory of .agentcore.json, which is the image's build context).`,
      code: "OutsideProject",
    });
  }
  const posix = relative.split(path.sep).join("/");
  if (!PORTABLE_PATH.test(posix)) {
    throw new ValidationError(`The ${what} path "${posix}" holds characters the Dockerfile cannot carry safely.`, {
      hint: `Use a ${flag} path of letters, digits, '.', '_', '-', '@', '+' and '/' only.`,
      code: "UnsafePath",
    });
  }
  return posix;
}

/** A comma-separated flag value as a list: split on commas, trimmed, empties and duplicates dropped. */
export function parseList(value: string | undefined): string[] {
  return [...new Set(splitList(value))];
}

/** Parses --authorizer-config: `null` means IAM, otherwise the API's `{"customJWTAuthorizer": {...}}`, validated. */
export function parseAuthorizerConfig(json: string): AuthorizerConfiguration | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ValidationError(`--authorizer-config is not valid JSON: ${(error as Error).message}.`, {
      hint: `Pass '{"customJWTAuthorizer": {"discoveryUrl": "https://…/.well-known/openid-configuration", "allowedClients": ["<client id>"]}}', or null for IAM.`,
      code: "InvalidAuthorizerConfig",
    });
  }
  if (raw === null) return null;
  return validateAuthorizer(raw, "--authorizer-config");
}

/** Validates an authorizer configuration (from --authorizer-config or assembled from the flags). */
export function validateAuthorizer(raw: unknown, source: string): AuthorizerConfiguration {
  // The file schema keeps unknown keys (forward compatibility), but the SDK drops them without a word:
  // a typo such as "allowedClient" would silently leave the authorizer without its client check.
  const jwt: unknown = raw !== null && typeof raw === "object" ? (raw as { customJWTAuthorizer?: unknown }).customJWTAuthorizer : undefined;
  const known: readonly string[] = AUTHORIZER_SDK_MEMBERS.customJWTAuthorizer;
  const unknown = jwt && typeof jwt === "object" && !Array.isArray(jwt) ? Object.keys(jwt).filter((key) => !known.includes(key)) : [];
  if (unknown.length > 0) {
    const suggestion = closestMatch(unknown[0]!, known);
    throw new ValidationError(
      `Invalid ${source}: ${unknown.map((key) => `customJWTAuthorizer.${key}`).join(", ")} ${unknown.length === 1 ? "is not a field" : "are not fields"} of the AgentCore authorizer.`,
      {
        hint: `${suggestion ? `Did you mean "${suggestion}"? ` : ""}The fields are: ${known.join(", ")}.`,
        code: "UnknownAuthorizerField",
      },
    );
  }
  const parsed = authorizerConfigurationSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
    throw new ValidationError(`Invalid ${source}: ${issues.join("; ")}.`, {
      hint: 'The form is {"customJWTAuthorizer": {"discoveryUrl": …, "allowedClients"|"allowedAudience"|"allowedScopes": ["…"]}}.',
      code: "InvalidAuthorizerConfig",
      details: { issues },
    });
  }
  refuseScpClaim(parsed.data, source);
  return parsed.data;
}

/**
 * AgentCore refuses a customClaims rule for `scp` and points to allowedScopes, which reads both the
 * `scope` string and the `scp` array (docs/local-development.md, the auth matrix, gives the source).
 */
function refuseScpClaim(config: AuthorizerConfiguration, source: string): void {
  const rules = config?.customJWTAuthorizer?.customClaims ?? [];
  const at = rules.findIndex((rule) => (rule as { inboundTokenClaimName?: unknown } | null)?.inboundTokenClaimName === "scp");
  if (at < 0) return;
  throw new ValidationError(
    `Invalid ${source}: customClaims[${at}] names the claim "scp", which AgentCore refuses: scopes are checked by allowedScopes, which reads both the "scope" string and the "scp" array.`,
    {
      hint: "Put those values in allowedScopes (--allowed-scopes a,b) and drop the customClaims rule for scp.",
      code: "InvalidAuthorizerConfig",
    },
  );
}

export interface JwtInputs {
  discoveryUrl: string;
  allowedClients: string[];
  allowedAudience: string[];
  allowedScopes: string[];
  /** Kept from an existing authorizer with the same discovery URL (there is no flag for them). */
  customClaims?: unknown[];
}

/** Checks the discovery URL; the error names the flag. */
export function checkDiscoveryUrl(url: string): string {
  const problem = discoveryUrlProblem(url);
  if (problem) {
    throw new ValidationError(`Invalid ${problem.charAt(0).toLowerCase()}${problem.slice(1)}.`, {
      hint: "Pass --discovery-url https://<issuer>/.well-known/openid-configuration (http only for localhost/127.0.0.1).",
      code: "InvalidDiscoveryUrl",
    });
  }
  return url;
}

/** Assembles and validates a customJWTAuthorizer from separate values (flags, prompts or defaults). */
export function buildJwtAuthorizer(inputs: JwtInputs): AuthorizerConfiguration {
  checkDiscoveryUrl(inputs.discoveryUrl);
  for (const scope of inputs.allowedScopes) {
    if (!SCOPE.test(scope)) {
      throw new ValidationError(`Invalid scope "${scope}": scopes are 1-255 printable characters without spaces, quotes or backslashes.`, {
        hint: "Pass --allowed-scopes as a comma-separated list, e.g. --allowed-scopes openid,agent/invoke.",
        code: "InvalidScope",
      });
    }
  }
  const hasClaims = (inputs.customClaims?.length ?? 0) > 0;
  if (!inputs.allowedClients.length && !inputs.allowedAudience.length && !inputs.allowedScopes.length && !hasClaims) {
    throw new UsageError("A JWT authorizer needs at least one of allowed clients, allowed audience or allowed scopes.", {
      hint: "Pass --allowed-clients <app client id> (Cognito), --allowed-audience <aud> or --allowed-scopes <scope>.",
      code: "MissingValue",
    });
  }
  const authorizer: CustomJwtAuthorizer = {
    discoveryUrl: inputs.discoveryUrl,
    ...(inputs.allowedClients.length ? { allowedClients: inputs.allowedClients } : {}),
    ...(inputs.allowedAudience.length ? { allowedAudience: inputs.allowedAudience } : {}),
    ...(inputs.allowedScopes.length ? { allowedScopes: inputs.allowedScopes } : {}),
    ...(hasClaims ? { customClaims: inputs.customClaims } : {}),
  };
  return validateAuthorizer({ customJWTAuthorizer: authorizer }, "authorizer");
}

/**
 * Validates a request header allowlist: API header-name pattern, no restricted names, at most 20,
 * duplicates (case-insensitive) dropped, and `Authorization` only with a JWT authorizer.
 */
export function checkHeaderAllowlist(names: string[], jwt: boolean): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const name of names) {
    const problem = headerNameProblem(name);
    if (problem) {
      throw new ValidationError(`Invalid request header allowlist: ${problem}.`, {
        hint: "Pass --request-header-allowlist as comma-separated header names, e.g. Authorization,X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant.",
        code: "InvalidHeader",
      });
    }
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    unique.push(name);
  }
  if (unique.length > MAX_HEADER_ALLOWLIST) {
    throw new ValidationError(
      `The request header allowlist has ${unique.length} headers; AgentCore allows at most ${MAX_HEADER_ALLOWLIST}.`,
      {
        hint: "Shorten --request-header-allowlist.",
        code: "TooManyHeaders",
      },
    );
  }
  if (!jwt && seen.has(AUTHORIZATION_HEADER.toLowerCase())) {
    throw new ValidationError(
      "The Authorization header can be allowlisted only for an agent with a JWT authorizer (customJWTAuthorizer); this agent uses IAM (SigV4).",
      {
        hint: "Remove Authorization from --request-header-allowlist, or configure a JWT authorizer with --discovery-url and --allowed-clients.",
        code: "AuthorizationHeaderWithIam",
      },
    );
  }
  return unique;
}

export function hasHeader(names: string[], wanted: string): boolean {
  return names.some((name) => name.toLowerCase() === wanted.toLowerCase());
}

/** --execution-role: "auto" or an IAM role ARN. */
export function checkExecutionRole(value: string): string {
  if (value === "auto" || ROLE_ARN.test(value)) return value;
  throw new ValidationError(`Invalid execution role "${value}": it must be an IAM role ARN or "auto".`, {
    hint: "Pass --execution-role arn:aws:iam::<account>:role/<name>, or leave it out to create a role at launch.",
    code: "InvalidExecutionRole",
  });
}

// ECR repository names (the ECR API's pattern) and image URIs of private repositories.
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const ECR_URI = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+?)(?::[^:@/]+)?$/;

/** --ecr: "auto", a repository name, or a repository URI (stored as its name; the region must match). */
export function checkEcrRepository(value: string, region: string | undefined): { repository: string; uriRegion?: string } {
  if (value === "auto") return { repository: value };
  const uri = ECR_URI.exec(value);
  const name = uri ? uri[3] : value;
  if (name.length < 2 || name.length > 256 || !ECR_NAME.test(name)) {
    throw new ValidationError(`Invalid ECR repository "${value}".`, {
      hint: "Pass --ecr with a repository name (lowercase letters, digits, '.', '_', '-', '/'), a repository URI, or auto.",
      code: "InvalidEcrRepository",
    });
  }
  if (uri && region && uri[2] !== region) {
    throw new ValidationError(`The ECR repository ${value} is in ${uri[2]}, but the agent is configured for ${region}.`, {
      hint: "Use a repository in the agent's region (AgentCore pulls the image from its own region), or pass --region.",
      code: "EcrRegionMismatch",
    });
  }
  return { repository: name, ...(uri ? { uriRegion: uri[2] } : {}) };
}

/** True when tokens from this issuer are Cognito tokens (AWS or the embedded/local Cognito). */
export function isCognitoDiscoveryUrl(url: string, cognito?: CognitoConfig): boolean {
  if (cognito && cognito.discoveryUrl === url) return true;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/i.test(parsed.hostname)) return true;
  // cognito-local (the embedded Cognito) serves /<poolId>/.well-known/openid-configuration on loopback.
  return isLoopbackHost(parsed.hostname) && /^\/[\w-]+_[0-9a-zA-Z]+\/\.well-known\/openid-configuration$/.test(parsed.pathname);
}

/** The region in a Cognito discovery URL (cognito-idp.<region>.amazonaws.com), if it is one. */
export function cognitoRegionOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/i.exec(url)?.[1];
}

/**
 * Fetches the OIDC discovery document and checks it names an issuer and a JWKS URI: the two
 * things AgentCore reads from it. Unreachable, non-200, non-JSON or incomplete are errors that name
 * the URL and the flag that skips the check.
 */
export async function fetchDiscoveryDocument(
  url: string,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<DiscoveryDocument> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const fetched = await fetchDiscovery(url, { fetch: options.fetch, timeoutMs });
  if (fetched.ok) return fetched.value;
  const hint = "Check the URL and your network, or pass --skip-discovery-check to configure without checking it.";
  const failure = fetched.failure;
  switch (failure.kind) {
    case "unreachable": {
      const reason = failure.timedOut ? `no answer within ${timeoutMs / 1000} s` : (failure.reason ?? (failure.error as Error).message);
      throw new ValidationError(`Cannot reach the discovery URL ${url} (${reason}).`, {
        hint,
        code: "DiscoveryUnreachable",
        cause: failure.error,
      });
    }
    case "status":
      throw new ValidationError(`The discovery URL ${url} answered HTTP ${failure.status}, not the discovery document.`, {
        hint,
        code: "DiscoveryNotFound",
      });
    case "not-json":
      throw new ValidationError(`The discovery URL ${url} did not return JSON.`, { hint, code: "DiscoveryInvalid" });
    case "incomplete":
      throw new ValidationError(`The discovery document at ${url} has no ${failure.missing.join(" and no ")}.`, {
        hint: "AgentCore needs an OpenID Connect discovery document with issuer and jwks_uri; check the URL, or pass --skip-discovery-check.",
        code: "DiscoveryInvalid",
      });
  }
}
