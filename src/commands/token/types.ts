/** Inputs and results of the `token` commands. No result holds a token in the clear except TokenRawResult. */
import type { JWTPayload } from "jose";
import type { AuthorizerCheck } from "../../auth/authorizer.js";
import type { RenewMethod } from "../../auth/tokens.js";

export interface TokenRefreshInput {
  agentName?: string;
  passwordStdin?: boolean;
}

export interface TokenRefreshResult {
  method: RenewMethod;
  username: string;
  userPoolId: string;
  clientId: string;
  local: boolean;
  expiresAt: string;
  expiresInSeconds: number;
  claims: JWTPayload;
  /** The project's .env holds a COGNITO_ACCESS_TOKEN (the --write-token-to-env copy): updated when it was the replaced token, else left and stale. */
  dotenv?: { file: string; updated: boolean };
  /** COGNITO_ACCESS_TOKEN in the environment is not the new token: invoke would still send the old one. */
  environmentStale?: boolean;
}

export interface TokenShowInput {
  agentName?: string;
  raw?: boolean;
}

export interface TokenShowResult {
  username: string;
  userPoolId: string;
  clientId: string;
  region: string;
  local: boolean;
  issuer: string;
  token: string;
  expiresAt: string;
  expiresInSeconds: number;
  expired: boolean;
  claims: JWTPayload;
  refreshToken: { cached: boolean; issuedAt?: string };
  /** How an OAuth token was had (`token get`); absent for a Cognito password login. */
  flow?: "client_credentials" | "authorization_code" | "device";
}

/**
 * `token show --raw`: the bare access token, which the printer writes alone on stdout for
 * `$(agentcore-ts token show --raw)`. Never a --json document: --raw with --json is refused first.
 */
export interface TokenRawResult {
  raw: true;
  accessToken: string;
}

export interface TokenVerifyInput {
  agentName?: string;
  /** The token to check; default: the cached one matching the agent's authorizer. */
  token?: string;
  /** Read the token from stdin (keeps it out of shell history). */
  tokenStdin?: boolean;
}

export interface TokenVerifyResult {
  agent: string;
  discoveryUrl: string;
  /** env: COGNITO_ACCESS_TOKEN, which invoke sends before the cached token. */
  token: { source: "cache" | "flag" | "stdin" | "env"; masked: string; username?: string; note?: string };
  allowed: boolean;
  httpStatus?: number;
  errorType?: string;
  message?: string;
  checks: AuthorizerCheck[];
  claims?: JWTPayload;
}

export type TokenGetFlowName = "client-credentials" | "authorization-code" | "device";

export interface TokenGetInput {
  agentName?: string;
  discoveryUrl?: string;
  clientId?: string;
  /** Read the client secret from stdin. */
  clientSecretStdin?: boolean;
  /** Keep the secret in AGENTCORE_TS_HOME/client-secrets.json (0600) for later renewals. */
  saveClientSecret?: boolean;
  scopes?: string[];
  flow?: TokenGetFlowName;
  audience?: string;
  resource?: string;
  /** The loopback redirect port of the authorization-code flow. */
  redirectPort?: number;
  /** Do not try to open a browser (the URL is printed either way). */
  noBrowser?: boolean;
  /** Seconds to wait for the browser sign-in. */
  timeoutSeconds?: number;
  /** Get a new token even when the cached one is still good. */
  force?: boolean;
}

/** The result of `token get`: never the token itself (it is in the token cache; `token show --raw` prints it). */
export interface TokenGetResult {
  flow: TokenGetFlowName;
  issuer: string;
  discoveryUrl: string;
  clientId: string;
  subject: string;
  scope?: string;
  /** "cache": the cached token was still good; else how this run got it. */
  source: "cache" | "issuer" | "refresh_token";
  token: string;
  expiresAt: string;
  expiresInSeconds: number;
  refreshToken: boolean;
  claims: JWTPayload;
  /** Where the client secret came from (never the secret). */
  clientSecretSource?: "stdin" | "env" | "file" | "cognito";
  /** The file the secret was saved to, when --save-client-secret. */
  clientSecretSavedTo?: string;
}
