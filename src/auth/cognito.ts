/**
 * Cognito login and refresh (InitiateAuth USER_PASSWORD_AUTH / REFRESH_TOKEN_AUTH), the Cognito
 * client for a pool (AWS, or the embedded local Cognito on loopback), and the password sources
 * (--password-stdin, COGNITO_PASSWORD, a prompt, or a generated one).
 *
 * InitiateAuth is an unsigned (noAuth) operation: `token refresh` needs no AWS credentials.
 */

import { randomInt } from "node:crypto";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { JWTPayload } from "jose";
// The decoder alone (jose/jwt/decode), not jose's index: the everyday invoke with a cached token loads nothing else of jose.
import { decodeJwt } from "jose/jwt/decode";
import type { AwsClients } from "../aws/clients.js";
import { AgentcoreError, fromAwsError, UsageError } from "../errors.js";
import type { Prompter } from "../ui/prompts.js";

export const PASSWORD_ENV = "COGNITO_PASSWORD";
/** Cognito's documented default access-token validity when the response does not say (1 hour, not the 2 the workshop claims). */
export const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;

export interface TokenSet {
  accessToken: string;
  accessTokenExpiresAt: Date;
  idToken?: string;
  idTokenExpiresAt?: Date;
  /** Only from a password login (Cognito returns no new one on refresh unless rotation is on). */
  refreshToken?: string;
  /** The access token's `iss`. */
  issuer: string;
  claims: JWTPayload;
}

/** Claims of a JWT without verifying it; {} when it is not a JWT. Never throws (and never echoes the token). */
export function decodeClaims(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch {
    return {};
  }
}

function expiryOf(token: string, expiresIn: number | undefined, now: number): Date {
  // ExpiresIn is the service's answer; cognito-local leaves it out, and then the token's own exp is the truth.
  if (expiresIn !== undefined && expiresIn > 0) return new Date(now + expiresIn * 1000);
  const exp = decodeClaims(token).exp;
  if (typeof exp === "number") return new Date(exp * 1000);
  return new Date(now + DEFAULT_ACCESS_TOKEN_SECONDS * 1000);
}

interface AuthResultShape {
  AccessToken?: string;
  IdToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}

function tokenSetFrom(result: AuthResultShape | undefined, now: number): TokenSet {
  if (!result?.AccessToken) {
    throw new AgentcoreError("Cognito answered InitiateAuth without an access token.", { code: "NoAccessToken" });
  }
  const claims = decodeClaims(result.AccessToken);
  return {
    accessToken: result.AccessToken,
    accessTokenExpiresAt: expiryOf(result.AccessToken, result.ExpiresIn, now),
    ...(result.IdToken ? { idToken: result.IdToken, idTokenExpiresAt: expiryOf(result.IdToken, result.ExpiresIn, now) } : {}),
    ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
    issuer: typeof claims.iss === "string" ? claims.iss : "",
    claims,
  };
}

const WRONG_PASSWORD = new Set(["NotAuthorizedException", "InvalidPasswordException"]);

export interface PasswordLogin {
  clientId: string;
  username: string;
  password: string;
  /** How the user can supply the right password, for the hint. */
  passwordHint?: string;
}

async function initiateAuth(
  client: CognitoIdentityProviderClient,
  flow: "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH",
  clientId: string,
  parameters: Record<string, string>,
) {
  const { InitiateAuthCommand } = await import("@aws-sdk/client-cognito-identity-provider");
  return client.send(new InitiateAuthCommand({ AuthFlow: flow, ClientId: clientId, AuthParameters: parameters }));
}

/** InitiateAuth USER_PASSWORD_AUTH. Errors name the user and the fix, never the password. */
export async function loginWithPassword(client: CognitoIdentityProviderClient, login: PasswordLogin): Promise<TokenSet> {
  const now = Date.now();
  let response: Awaited<ReturnType<typeof initiateAuth>>;
  try {
    response = await initiateAuth(client, "USER_PASSWORD_AUTH", login.clientId, { USERNAME: login.username, PASSWORD: login.password });
  } catch (error) {
    throw loginError(error, login);
  }
  if (response.ChallengeName) {
    throw new AgentcoreError(`Cognito wants the ${response.ChallengeName} challenge answered before user "${login.username}" can log in.`, {
      code: "AuthChallenge",
      hint:
        response.ChallengeName === "NEW_PASSWORD_REQUIRED"
          ? "The user has no permanent password: run `agentcore-ts cognito setup --reset-password` to set one."
          : "agentcore-ts logs in with USER_PASSWORD_AUTH only; use a user without MFA or other challenges.",
    });
  }
  return tokenSetFrom(response.AuthenticationResult, now);
}

function loginError(error: unknown, login: PasswordLogin): AgentcoreError {
  const name = (error as { name?: string }).name ?? "";
  const action = `Log in as "${login.username}" (InitiateAuth USER_PASSWORD_AUTH)`;
  if (WRONG_PASSWORD.has(name)) {
    return fromAwsError(
      error,
      action,
      login.passwordHint ??
        `Check the password (--password-stdin or ${PASSWORD_ENV}); \`agentcore-ts cognito setup --reset-password\` sets a new one (and recreates the user if it was deleted).`,
    );
  }
  if (name === "UserNotFoundException") {
    return fromAwsError(error, action, "The user does not exist in the pool: run `agentcore-ts cognito setup` to create it.");
  }
  if (name === "ResourceNotFoundException") {
    return fromAwsError(
      error,
      action,
      "The app client or its user pool no longer exists: run `agentcore-ts cognito setup` to recreate them.",
    );
  }
  if (name === "PasswordResetRequiredException") {
    return fromAwsError(error, action, "Run `agentcore-ts cognito setup --reset-password` to set a new password.");
  }
  if (name === "InvalidParameterException") {
    return fromAwsError(
      error,
      action,
      "The app client must allow ALLOW_USER_PASSWORD_AUTH: `agentcore-ts cognito setup` fixes a client it created.",
    );
  }
  return fromAwsError(error, action);
}

/** The refresh token was refused (expired, revoked, or from another client): a password login is the way back. */
export class RefreshTokenRejectedError extends AgentcoreError {
  constructor(serviceMessage: string, cause: unknown) {
    super(`Cognito refused the cached refresh token (${serviceMessage}).`, {
      code: "RefreshTokenRejected",
      hint: `Log in again with the password: \`agentcore-ts token refresh --password-stdin\` or ${PASSWORD_ENV}=… agentcore-ts token refresh.`,
      cause,
    });
  }
}

/** InitiateAuth REFRESH_TOKEN_AUTH. A refused refresh token becomes RefreshTokenRejectedError. */
export async function refreshWithToken(
  client: CognitoIdentityProviderClient,
  refresh: { clientId: string; refreshToken: string },
): Promise<TokenSet> {
  const now = Date.now();
  let response: Awaited<ReturnType<typeof initiateAuth>>;
  try {
    response = await initiateAuth(client, "REFRESH_TOKEN_AUTH", refresh.clientId, { REFRESH_TOKEN: refresh.refreshToken });
  } catch (error) {
    const name = (error as { name?: string }).name ?? "";
    if (name === "NotAuthorizedException") {
      throw new RefreshTokenRejectedError(`${name}: ${(error as Error).message}`, error);
    }
    throw fromAwsError(
      error,
      "Refresh the access token (InitiateAuth REFRESH_TOKEN_AUTH)",
      name === "ResourceNotFoundException"
        ? "The app client or its user pool no longer exists: run `agentcore-ts cognito setup`."
        : undefined,
    );
  }
  return tokenSetFrom(response.AuthenticationResult, now);
}

/** Where a pool lives: AWS (region; the SDK honours AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) or the embedded Cognito. */
export interface CognitoLocation {
  region: string;
  local: boolean;
}

export interface CognitoSession {
  client: CognitoIdentityProviderClient;
  /** The embedded Cognito's endpoint (local pools only). */
  endpoint?: string;
  /** Destroys the client and releases the embedded Cognito (stopping it when this session started it). */
  close(): Promise<void>;
}

/** Dummy credentials for the emulator: it does not check signatures, and a machine without AWS has none. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** A Cognito client for the pool's location; local pools start the embedded Cognito on demand. */
export async function openCognito(aws: AwsClients, location: CognitoLocation, env: NodeJS.ProcessEnv): Promise<CognitoSession> {
  if (!location.local) {
    const client = await aws.with({ region: location.region }).cognito();
    return { client, close: async () => client.destroy() };
  }
  // Loaded on use: the embedded Cognito's controller brings child_process and http, which a cached token never needs.
  const { ensureEmbeddedCognito } = await import("../embedded-cognito/control.js");
  const embedded = await ensureEmbeddedCognito(env);
  try {
    const { CognitoIdentityProviderClient } = await import("@aws-sdk/client-cognito-identity-provider");
    const { profile: _profile, ...config } = aws.with({ region: location.region, endpoint: embedded.endpoint }).config();
    const client = new CognitoIdentityProviderClient({ ...config, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    return {
      client,
      endpoint: embedded.endpoint,
      close: async () => {
        client.destroy();
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

/** Runs `work` with a Cognito session and always closes it. */
export async function withCognito<T>(
  aws: AwsClients,
  location: CognitoLocation,
  env: NodeJS.ProcessEnv,
  work: (session: CognitoSession) => Promise<T>,
): Promise<T> {
  const session = await openCognito(aws, location, env);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER = "abcdefghijkmnopqrstuvwxyz";
const DIGITS = "23456789";
// Symbols that survive shells and .env files without quoting surprises.
const SYMBOLS = "-_.@%+=";

/** A strong password satisfying any Cognito policy: 20 characters with upper, lower, digit and symbol. */
export function generatePassword(length = 20): string {
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  const pick = (set: string) => set[randomInt(set.length)];
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}

/** Why Cognito would refuse this password (length 8 minimum, no whitespace), or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8) return "the password must have at least 8 characters";
  if (password.length > 256) return "the password must have at most 256 characters";
  if (/\s/.test(password)) return "the password must not contain whitespace";
  return undefined;
}

/** Reads a secret piped on stdin (a password, a token): everything up to the end, minus one trailing newline. */
export async function readSecretFromStdin(
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
  what: { flag: string; name: string },
): Promise<string> {
  const example = `printf '%s' "$${what.name.toUpperCase().replace(/\W+/g, "_")}" | agentcore-ts … ${what.flag}`;
  if (stdin.isTTY) {
    throw new UsageError(`${what.flag} reads the ${what.name} from a pipe, but stdin is a terminal.`, {
      hint: `Pipe it in: \`${example}\`.`,
      code: "StdinIsTTY",
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  const secret = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (secret === "") {
    throw new UsageError(`${what.flag} was given but stdin was empty.`, {
      hint: `Pipe the ${what.name} in: \`${example}\`.`,
      code: "EmptyStdin",
    });
  }
  return secret;
}

/** The password piped on stdin (--password-stdin). */
export function readPasswordFromStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  return readSecretFromStdin(stdin, { flag: "--password-stdin", name: "password" });
}

export type PasswordSource = "stdin" | "env" | "prompt" | "generated";

export interface PasswordSources {
  passwordStdin?: boolean;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The password the user supplied without being asked: --password-stdin, then COGNITO_PASSWORD. */
export async function suppliedPassword(sources: PasswordSources): Promise<{ password: string; source: PasswordSource } | undefined> {
  if (sources.passwordStdin) return { password: await readPasswordFromStdin(sources.stdin), source: "stdin" };
  const fromEnv = sources.env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return { password: fromEnv, source: "env" };
  return undefined;
}

/** Asks for the password on a terminal; undefined when prompting is off. */
export async function promptPassword(prompter: Prompter, message: string, allowEmpty = false): Promise<string | undefined> {
  if (!prompter.interactive) return undefined;
  const answer = await prompter.password({
    message,
    flag: "--password-stdin",
    validate: (value) => (allowEmpty && value === "") || (passwordProblem(value) ?? true),
  });
  return answer === "" ? undefined : answer;
}
