/**
 * Inbound auth: the customJWTAuthorizer (or IAM) from flags, answers or the defaults (the agent's
 * current settings, .env, the cognito section), the discovery-document check, and the request header
 * allowlist that goes with it.
 */

import { CONFIG_FILE_NAME } from "../../config/file.js";
import { SCOPE } from "../../config/patterns.js";
import type { AgentConfig, AuthorizerConfiguration, CognitoConfig } from "../../config/schema.js";
import { nonEmpty } from "../../util/text.js";
import type { ConfigureDeps, ConfigureInputs } from "./types.js";
import {
  AUTHORIZATION_HEADER,
  buildJwtAuthorizer,
  checkDiscoveryUrl,
  checkHeaderAllowlist,
  fetchDiscoveryDocument,
  hasHeader,
  isCognitoDiscoveryUrl,
  parseList,
} from "./validate.js";

const IAM_HINT = "For JWT inbound auth pass --discovery-url and --allowed-clients (or run `agentcore-ts cognito setup` first).";

/**
 * Fetches the discovery document. The embedded local Cognito (after `cognito setup --local`) starts
 * on demand like for every other command, and is released afterwards.
 */
export async function checkDiscoveryDocument(url: string, deps: ConfigureDeps): Promise<void> {
  let release: (() => Promise<void>) | undefined;
  if (url.startsWith("http://")) {
    const embedded = await import("../../embedded-cognito/control.js");
    const env = deps.env ?? process.env;
    if (embedded.isEmbeddedCognitoUrl(url, env)) release = (await embedded.ensureEmbeddedCognito(env)).stop;
  }
  try {
    await fetchDiscoveryDocument(url, { fetch: deps.fetch, timeoutMs: deps.discoveryTimeoutMs });
  } finally {
    await release?.();
  }
}

export interface AuthSources {
  dotenv: Record<string, string>;
  cognito?: CognitoConfig;
  existing?: AgentConfig;
}

interface DefaultSource {
  origin: string;
  discoveryUrl?: string;
  allowedClients?: string[];
  allowedAudience?: string[];
  allowedScopes?: string[];
  customClaims?: unknown[];
}

interface ResolvedAuth {
  authorizer: AuthorizerConfiguration | null;
  /** Where the authorizer came from, for the summary. */
  source: string;
  /** The discovery document was fetched (or its check skipped) where the URL was typed: configure need not fetch it again. */
  discoveryChecked?: boolean;
}

/** A prompt's message for a failed check: the error's sentence and its hint. */
function problemOf(error: unknown): string {
  const e = error as { message?: string; hint?: string };
  return `${e.message ?? String(error)}${e.hint ? ` ${e.hint}` : ""}`;
}

/**
 * The URL typed at the prompt, its discovery document fetched at once: when that fails the user
 * re-enters it, keeps it unchecked (no network, an issuer not up yet), or stops.
 */
async function askDiscoveryUrl(
  deps: ConfigureDeps,
  inputs: ConfigureInputs,
  suggestion: string | undefined,
): Promise<{ url: string; checked: boolean }> {
  let current = suggestion;
  for (;;) {
    const url = await deps.prompter.input({
      message: "OIDC discovery URL (https://…/.well-known/openid-configuration)",
      flag: "--discovery-url",
      default: current,
      validate: discoveryUrlProblem,
    });
    if (inputs.skipDiscoveryCheck) return { url, checked: true };
    try {
      await deps.output.task(`Discovery document ${url}`, () => checkDiscoveryDocument(url, deps));
      return { url, checked: true };
    } catch (error) {
      const next = await deps.prompter.select({
        message: `${problemOf(error)} What now?`,
        flag: "--skip-discovery-check",
        choices: [
          { value: "reenter", name: "Enter the URL again" },
          { value: "skip", name: "Keep this URL without checking it (as --skip-discovery-check)" },
          { value: "stop", name: "Stop (nothing is written)" },
        ],
        default: "reenter",
      });
      if (next === "skip") return { url, checked: true };
      if (next === "stop") throw error;
      current = url;
    }
  }
}

/** A typed discovery URL's problem, or true. */
function discoveryUrlProblem(value: string): string | true {
  try {
    checkDiscoveryUrl(value.trim());
    return true;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Every scope in a comma-separated answer is one the authorizer accepts. */
function scopesProblem(answer: string): string | true {
  const bad = parseList(answer).find((scope) => scope !== "-" && !SCOPE.test(scope));
  return bad === undefined ? true : `Invalid scope "${bad}": scopes are 1-255 printable characters without spaces, quotes or backslashes.`;
}

function defaultSources({ dotenv, cognito, existing }: AuthSources): DefaultSource[] {
  const sources: DefaultSource[] = [];
  const current = existing?.authorizerConfiguration?.customJWTAuthorizer;
  const envUrl = nonEmpty(dotenv.COGNITO_DISCOVERY_URL);
  const envClient = nonEmpty(dotenv.COGNITO_CLIENT_ID);
  const fromEnv: DefaultSource | undefined =
    envUrl || envClient
      ? { origin: ".env", discoveryUrl: envUrl, allowedClients: envClient ? parseList(envClient) : undefined }
      : undefined;
  const fromCognito: DefaultSource | undefined = cognito
    ? {
        origin: `the cognito section of ${CONFIG_FILE_NAME} (cognito setup)`,
        discoveryUrl: cognito.discoveryUrl,
        // With an M2M client (cognito setup --m2m): its tokens too, and its scopes required.
        allowedClients: cognito.m2m ? [cognito.clientId, cognito.m2m.clientId] : [cognito.clientId],
        ...(cognito.m2m ? { allowedScopes: cognito.m2m.scopes } : {}),
      }
    : undefined;
  // An agent on a Cognito pool follows the project's pool: after `cognito setup` moved the project to
  // another pool (e.g. from the embedded Cognito to AWS), reconfiguring picks the new one up.
  const followsProjectPool =
    current !== undefined &&
    fromCognito !== undefined &&
    current.discoveryUrl !== fromCognito.discoveryUrl &&
    isCognitoDiscoveryUrl(current.discoveryUrl);
  if (current && !followsProjectPool) sources.push({ origin: "the agent's current settings", ...current });
  if (followsProjectPool && fromCognito) sources.push(fromCognito);
  if (fromEnv) sources.push(fromEnv);
  if (fromCognito && !followsProjectPool) sources.push(fromCognito);
  if (current && followsProjectPool) sources.push({ origin: "the agent's current settings", ...current });
  return sources;
}

export async function resolveAuthorizer(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  fromFlag: AuthorizerConfiguration | null | undefined,
  sources: AuthSources,
): Promise<ResolvedAuth> {
  const { prompter, output } = deps;
  if (fromFlag !== undefined) return { authorizer: fromFlag, source: "--authorizer-config" };

  const candidates = defaultSources(sources);
  const listFlags = inputs.allowedClients !== undefined || inputs.allowedAudience !== undefined || inputs.allowedScopes !== undefined;
  const existingIsIam = sources.existing !== undefined && sources.existing.authorizerConfiguration === null;
  let useJwt: boolean;
  if (inputs.discoveryUrl !== undefined || listFlags) {
    useJwt = true;
  } else if (prompter.interactive) {
    useJwt =
      (await prompter.select({
        message: "Inbound auth: how do callers authenticate?",
        flag: "--discovery-url",
        choices: [
          { value: "jwt", name: "JWT bearer tokens (OAuth/OIDC: Amazon Cognito or any OIDC issuer)" },
          { value: "iam", name: "IAM (AWS SigV4)" },
        ],
        default: existingIsIam ? "iam" : "jwt",
      })) === "jwt";
    const current = sources.existing?.authorizerConfiguration?.customJWTAuthorizer;
    if (!useJwt && current) {
      // Switching to IAM drops the authorizer: never without a yes, and say it was done.
      useJwt = !(await prompter.confirm({
        message: `Agent ${sources.existing!.name} checks JWTs from ${current.discoveryUrl}. Drop that authorizer and switch it to IAM (SigV4)?`,
        default: false,
      }));
      if (!useJwt)
        output.warn(
          `Dropped the JWT authorizer (${current.discoveryUrl}): agent ${sources.existing!.name} now uses IAM (SigV4) inbound auth.`,
        );
    }
  } else {
    // Reconfiguring keeps an agent's IAM choice; a new agent gets JWT when .env or `cognito setup` supplied an issuer.
    useJwt = !existingIsIam && candidates.some((source) => source.discoveryUrl !== undefined);
  }
  if (!useJwt) {
    if (!existingIsIam && !prompter.interactive)
      output.warn(`No JWT issuer configured: the agent uses IAM (SigV4) inbound auth. ${IAM_HINT}`);
    return { authorizer: null, source: existingIsIam ? "the agent's current settings" : "default" };
  }

  const urlSource = candidates.find((source) => source.discoveryUrl !== undefined);
  let discoveryChecked = false;
  let discoveryUrl: string;
  if (inputs.discoveryUrl !== undefined) discoveryUrl = inputs.discoveryUrl;
  else if (prompter.interactive) {
    const asked = await askDiscoveryUrl(deps, inputs, urlSource?.discoveryUrl);
    discoveryUrl = asked.url;
    discoveryChecked = asked.checked;
  } else {
    discoveryUrl = await prompter.input({
      message: "OIDC discovery URL (https://…/.well-known/openid-configuration)",
      flag: "--discovery-url",
      default: urlSource?.discoveryUrl,
      validate: discoveryUrlProblem,
    });
  }
  let source = inputs.discoveryUrl !== undefined ? "flags" : prompter.interactive ? "answers" : (urlSource?.origin ?? "flags");

  if (listFlags) {
    return {
      authorizer: buildJwtAuthorizer({
        discoveryUrl,
        allowedClients: parseList(inputs.allowedClients),
        allowedAudience: parseList(inputs.allowedAudience),
        allowedScopes: parseList(inputs.allowedScopes),
      }),
      source,
      discoveryChecked,
    };
  }
  // The lists come from the first source that describes the same issuer (a client ID belongs to its pool);
  // .env may name a client ID without a URL.
  const listSource =
    candidates.find((candidate) => candidate.discoveryUrl === discoveryUrl) ??
    candidates.find((candidate) => candidate.discoveryUrl === undefined && candidate.allowedClients);
  const customClaims = listSource?.customClaims;
  if (!prompter.interactive) {
    if (inputs.discoveryUrl !== undefined && listSource) source = `flags and ${listSource.origin}`;
    const lists = {
      allowedClients: listSource?.allowedClients ?? [],
      allowedAudience: listSource?.allowedAudience ?? [],
      allowedScopes: listSource?.allowedScopes ?? [],
    };
    return { authorizer: buildJwtAuthorizer({ discoveryUrl, ...lists, customClaims }), source, discoveryChecked };
  }
  for (;;) {
    const ask = (message: string, flag: string, current?: string[], validate?: (answer: string) => string | true) =>
      prompter
        .input({
          message: `${message} (comma-separated; Enter for none${current?.length ? ", - to clear" : ""})`,
          flag,
          default: current?.join(","),
          optional: true,
          ...(validate ? { validate } : {}),
        })
        .then((answer) => (answer.trim() === "-" ? [] : parseList(answer)));
    const allowedClients = await ask("Allowed client IDs (Cognito: the app client ID)", "--allowed-clients", listSource?.allowedClients);
    const allowedAudience = await ask("Allowed audiences (aud claim)", "--allowed-audience", listSource?.allowedAudience);
    const allowedScopes = await ask("Allowed scopes", "--allowed-scopes", listSource?.allowedScopes, scopesProblem);
    if (allowedClients.length || allowedAudience.length || allowedScopes.length || customClaims?.length) {
      return {
        authorizer: buildJwtAuthorizer({ discoveryUrl, allowedClients, allowedAudience, allowedScopes, customClaims }),
        source,
        discoveryChecked,
      };
    }
    output.warn("A JWT authorizer needs at least one allowed client ID, audience or scope.");
  }
}

export async function resolveHeaderAllowlist(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  jwt: boolean,
  existing: AgentConfig | undefined,
): Promise<{ names: string[]; note?: string }> {
  const { prompter } = deps;
  let note: string | undefined;
  let names =
    inputs.requestHeaderAllowlist !== undefined ? parseList(inputs.requestHeaderAllowlist) : [...(existing?.requestHeaderAllowlist ?? [])];
  if (!jwt && inputs.requestHeaderAllowlist === undefined && hasHeader(names, AUTHORIZATION_HEADER)) {
    // Switching an agent to IAM: AgentCore refuses an allowlisted Authorization header without a JWT authorizer.
    names = names.filter((header) => header.toLowerCase() !== AUTHORIZATION_HEADER.toLowerCase());
    note = `Removed ${AUTHORIZATION_HEADER} from the request header allowlist (only allowed with a JWT authorizer).`;
  }
  if (jwt && !hasHeader(names, AUTHORIZATION_HEADER)) {
    const add = await prompter.confirm({
      message: "Forward the caller's Authorization header to the agent, so it can read the JWT's claims (user, scopes)?",
      default: true,
    });
    if (add) {
      names = [AUTHORIZATION_HEADER, ...names];
      note = `Added ${AUTHORIZATION_HEADER} to the request header allowlist: the agent receives the caller's validated JWT and can read its claims.`;
    }
  }
  return { names: checkHeaderAllowlist(names, jwt), note };
}
