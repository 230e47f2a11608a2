/**
 * OAuth 2.0 token acquisition for any issuer, on openid-client (panva; https://github.com/panva/openid-client):
 * client credentials (RFC 6749 section 4.4), authorization code with PKCE S256 (RFC 7636) and a
 * loopback redirect (RFC 8252 section 7.3), device authorization (RFC 8628) and the refresh_token
 * grant (RFC 6749 section 6). Nothing here hand-builds an OAuth request or checks a response: the
 * library does both. Plain-http issuers are accepted only on loopback (emulators and test issuers).
 *
 * No function here prints or logs a token or a secret; errors carry the issuer's `error` code and
 * description (RFC 6749 section 5.2), never the request.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type * as OpenIdClient from "openid-client";
import { discoveryUrlProblem } from "../config/patterns.js";
import { AgentcoreError, UsageError } from "../errors.js";
import { decodeClaims, type TokenSet } from "./cognito.js";

export type OAuthFlow = "client_credentials" | "authorization_code" | "device";

export interface OAuthClientSpec {
  /** The issuer's discovery document (…/.well-known/openid-configuration). */
  discoveryUrl: string;
  clientId: string;
  /** Confidential clients: sent with HTTP Basic (client_secret_basic, which Cognito and every OIDC issuer accept). */
  clientSecret?: string;
  /** Injected for tests. */
  fetch?: typeof fetch;
}

export interface TokenRequestOptions {
  /** Space-separated scopes. */
  scope?: string;
  /** RFC 8707 resource indicator (oidc-provider, Entra v1 style issuers). */
  resource?: string;
  /** Auth0-style audience parameter. */
  audience?: string;
}

/** What an issuer gave back, as the token cache stores it. */
export interface OAuthTokens extends TokenSet {
  /** The subject the tokens are for: `sub` of the access token (or the ID token), else the client id. */
  subject: string;
  scope?: string;
}

const DEFAULT_EXPIRES_IN = 3600;

async function library(): Promise<typeof OpenIdClient> {
  return import("openid-client");
}

/** Refuses plain http except on loopback (RFC 8252 8.3 and OAuth 2.0 Security BCP: tokens only over TLS). */
export function checkIssuerUrl(discoveryUrl: string): URL {
  let url: URL;
  try {
    url = new URL(discoveryUrl);
  } catch {
    throw new UsageError(`"${discoveryUrl}" is not a URL.`, { code: "InvalidDiscoveryUrl", hint: "Pass the issuer's discovery URL." });
  }
  const problem = discoveryUrlProblem(discoveryUrl);
  if (problem) throw new UsageError(`The ${problem}.`, { code: "InvalidDiscoveryUrl", hint: "Pass the issuer's discovery URL." });
  return url;
}

/** Discovery and the client: the library's Configuration, with http allowed on loopback. */
export async function oauthConfiguration(spec: OAuthClientSpec): Promise<OpenIdClient.Configuration> {
  const client = await library();
  const url = checkIssuerUrl(spec.discoveryUrl);
  const auth = spec.clientSecret !== undefined ? client.ClientSecretBasic(spec.clientSecret) : client.None();
  const options: OpenIdClient.DiscoveryRequestOptions = {
    ...(url.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {}),
  };
  if (spec.fetch) options[client.customFetch] = spec.fetch as OpenIdClient.CustomFetch;
  try {
    return await client.discovery(url, spec.clientId, undefined, auth, options);
  } catch (error) {
    throw oauthError(error, spec.discoveryUrl, "Read the discovery document");
  }
}

/** The issuer's error words it as one of ours: its `error` code and description, and what to do. */
export function oauthError(error: unknown, where: string, action: string): AgentcoreError {
  if (error instanceof AgentcoreError) return error;
  let e = error as { name?: string; error?: string; error_description?: string; status?: number; code?: string; cause?: unknown };
  // A 401 with WWW-Authenticate (RFC 6750 3, RFC 6749 5.2): the error is in the challenge's parameters.
  const challenges = Array.isArray(e.cause) ? (e.cause as Array<{ parameters?: Record<string, string> }>) : [];
  const challenge = challenges.find((c) => typeof c.parameters?.error === "string")?.parameters;
  if (challenge) e = { ...e, error: challenge.error, error_description: challenge.error_description };
  if (typeof e.error === "string") {
    const description = e.error_description ? ` (${e.error_description})` : "";
    const hints: Record<string, string> = {
      invalid_client: "Check the client id and secret (--client-id, --client-secret-stdin or AGENTCORE_TS_CLIENT_SECRET).",
      unauthorized_client:
        "The client is not allowed this grant: enable it on the app client (for Cognito: `agentcore-ts cognito setup --m2m`).",
      invalid_scope: "Ask only for scopes enabled on the client (--scope).",
      invalid_grant: "The refresh token or code is no longer valid (expired or revoked): run `agentcore-ts token get` to sign in again.",
      unsupported_grant_type: "The issuer does not offer this grant: pick another with --flow.",
      access_denied: "The sign-in was refused or cancelled.",
      expired_token: "The device code expired before the sign-in finished: run `agentcore-ts token get --flow device` again.",
    };
    return new AgentcoreError(`${action} at ${where}: the issuer answered ${e.error}${description}.`, {
      code: e.error === "invalid_grant" ? "RefreshTokenRejected" : "OAuthError",
      hint: hints[e.error],
      cause: error,
      details: { error: e.error, ...(e.status ? { status: e.status } : {}) },
    });
  }
  const cause = e.cause as { code?: string; cause?: { code?: string }; message?: string } | undefined;
  const network = cause?.code ?? cause?.cause?.code;
  if (e.name === "TypeError" || network || e.code === "OAUTH_TIMEOUT" || e.name === "TimeoutError") {
    return new AgentcoreError(`${action}: the issuer at ${where} is unreachable${network ? ` (${network})` : ""}.`, {
      code: "IssuerUnreachable",
      hint: "Check the URL and that the issuer is up (for the embedded Cognito: `agentcore-ts cognito local status`).",
      cause: error,
    });
  }
  const message = (error as Error).message ?? String(error);
  return new AgentcoreError(`${action} at ${where} failed: ${message}.`, {
    code: "OAuthError",
    hint: "Check the discovery URL and the client's settings at the issuer.",
    cause: error,
  });
}

function tokensFrom(response: OpenIdClient.TokenEndpointResponse, fallbackSubject: string, now: number): OAuthTokens {
  const accessToken = response.access_token;
  const claims = decodeClaims(accessToken);
  const idClaims = response.id_token ? decodeClaims(response.id_token) : {};
  const expiresIn = typeof response.expires_in === "number" && response.expires_in > 0 ? response.expires_in : undefined;
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  const accessTokenExpiresAt = new Date(expiresIn ? now + expiresIn * 1000 : (exp ?? now + DEFAULT_EXPIRES_IN * 1000));
  const subject = (typeof claims.sub === "string" && claims.sub) || (typeof idClaims.sub === "string" && idClaims.sub) || fallbackSubject;
  const issuer = (typeof claims.iss === "string" && claims.iss) || (typeof idClaims.iss === "string" && idClaims.iss) || "";
  return {
    accessToken,
    accessTokenExpiresAt,
    ...(response.id_token
      ? {
          idToken: response.id_token,
          idTokenExpiresAt: typeof idClaims.exp === "number" ? new Date(idClaims.exp * 1000) : accessTokenExpiresAt,
        }
      : {}),
    ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
    issuer,
    claims,
    subject,
    ...(typeof response.scope === "string" ? { scope: response.scope } : {}),
  };
}

function requestParameters(options: TokenRequestOptions): Record<string, string> {
  return {
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.resource ? { resource: options.resource } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };
}

/** Checks the issuer offers a grant before asking for it, when its discovery document lists them. */
function requireGrant(config: OpenIdClient.Configuration, grant: string, where: string): void {
  const supported = config.serverMetadata().grant_types_supported;
  if (supported && !supported.includes(grant)) {
    throw new AgentcoreError(`The issuer at ${where} does not offer the ${grant} grant (it lists ${supported.join(", ")}).`, {
      code: "OAuthError",
      hint: "Pick another flow with --flow.",
    });
  }
}

/** RFC 6749 4.4: a token for the client itself. Needs a client secret. */
export async function clientCredentialsToken(spec: OAuthClientSpec, options: TokenRequestOptions = {}): Promise<OAuthTokens> {
  const client = await library();
  const config = await oauthConfiguration(spec);
  if (!config.serverMetadata().token_endpoint) throw noTokenEndpoint(spec.discoveryUrl);
  requireGrant(config, "client_credentials", spec.discoveryUrl);
  const now = Date.now();
  try {
    return tokensFrom(await client.clientCredentialsGrant(config, requestParameters(options)), spec.clientId, now);
  } catch (error) {
    throw oauthError(error, spec.discoveryUrl, "Get a client-credentials token");
  }
}

/** RFC 6749 6: new tokens from a refresh token; the old refresh token is kept when the issuer does not rotate it. */
export async function refreshTokens(spec: OAuthClientSpec, refreshToken: string, options: TokenRequestOptions = {}): Promise<OAuthTokens> {
  const client = await library();
  const config = await oauthConfiguration(spec);
  const now = Date.now();
  try {
    // No scope: a refresh without one keeps the granted scopes (RFC 6749 6); asking again can be refused as a widening.
    const parameters = options.resource ? { resource: options.resource } : undefined;
    const tokens = tokensFrom(await client.refreshTokenGrant(config, refreshToken, parameters), spec.clientId, now);
    return tokens.refreshToken ? tokens : { ...tokens, refreshToken };
  } catch (error) {
    throw oauthError(error, spec.discoveryUrl, "Refresh the access token");
  }
}

function noTokenEndpoint(where: string): AgentcoreError {
  return new AgentcoreError(`The discovery document at ${where} names no token_endpoint.`, {
    code: "OAuthError",
    hint: "A Cognito pool has a token endpoint only once it has a domain: run `agentcore-ts cognito setup --m2m`.",
  });
}

export interface AuthorizationCodeOptions extends TokenRequestOptions {
  /** The loopback port of the redirect: http://localhost:PORT/callback must be registered at the issuer exactly. */
  port: number;
  /** Called once with the URL to open (the caller prints it and may open a browser). */
  onAuthorizationUrl(url: string): void | Promise<void>;
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_REDIRECT_PORT = 8976;
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

export function redirectUri(port: number): string {
  return `http://localhost:${port}/callback`;
}

const SUCCESS_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>agentcore-ts</title></head>
<body style="font-family: sans-serif"><h1>Signed in</h1><p>agentcore-ts has the token. You can close this tab.</p></body></html>`;
const FAILURE_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>agentcore-ts</title></head>
<body style="font-family: sans-serif"><h1>Sign-in failed</h1><p>Go back to the terminal for the reason.</p></body></html>`;

/**
 * Authorization code + PKCE S256 with a `state`, the redirect caught by a one-shot server on
 * 127.0.0.1:PORT/callback (RFC 8252 7.3; Cognito requires the callback URL to be registered exactly,
 * so the port is fixed and configurable). The code is exchanged by openid-client, which checks the
 * state and the issuer's response.
 */
export async function authorizationCodeToken(spec: OAuthClientSpec, options: AuthorizationCodeOptions): Promise<OAuthTokens> {
  const client = await library();
  const config = await oauthConfiguration(spec);
  const metadata = config.serverMetadata();
  if (!metadata.authorization_endpoint) {
    throw new AgentcoreError(`The discovery document at ${spec.discoveryUrl} names no authorization_endpoint.`, {
      code: "OAuthError",
      hint: "This issuer has no browser sign-in: use --flow client-credentials (or device, where offered).",
    });
  }
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const redirect = redirectUri(options.port);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    scope: options.scope ?? "openid",
    ...(options.resource ? { resource: options.resource } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  });

  const callback = await waitForCallback(
    options,
    async (current) => {
      const now = Date.now();
      const response = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: verifier, expectedState: state });
      return tokensFrom(response, spec.clientId, now);
    },
    () => options.onAuthorizationUrl(url.href),
  );
  return callback;
}

/** Listens on the loopback port, hands the first /callback request to `exchange`, answers the browser, closes. */
async function waitForCallback(
  options: AuthorizationCodeOptions,
  exchange: (currentUrl: URL) => Promise<OAuthTokens>,
  ready: () => void | Promise<void>,
): Promise<OAuthTokens> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new AgentcoreError(`Cannot listen on 127.0.0.1:${options.port} for the sign-in redirect (${error.code ?? error.message}).`, {
          code: "BadPort",
          hint: "Free the port, or pass another with --redirect-port (and register http://localhost:<port>/callback at the issuer).",
        }),
      );
    });
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  try {
    return await new Promise<OAuthTokens>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new AgentcoreError(`No sign-in came back to http://localhost:${port}/callback within ${Math.round(timeoutMs / 1000)} s.`, {
            code: "ETIMEDOUT",
            hint: "Open the printed URL and finish the sign-in, or run `agentcore-ts token get` again.",
          }),
        );
      }, timeoutMs);
      const abort = () => reject(new AgentcoreError("The sign-in was interrupted.", { code: "Interrupted" }));
      options.signal?.addEventListener("abort", abort, { once: true });
      let handled = false;
      server.on("request", (req, res) => {
        const current = new URL(req.url ?? "/", `http://localhost:${port}`);
        if (current.pathname !== "/callback" || handled) {
          res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
          return;
        }
        handled = true;
        exchange(current).then(
          (tokens) => {
            res.writeHead(200, { "content-type": "text/html; charset=utf-8", connection: "close" }).end(SUCCESS_PAGE);
            clearTimeout(timer);
            resolve(tokens);
          },
          (error) => {
            res.writeHead(400, { "content-type": "text/html; charset=utf-8", connection: "close" }).end(FAILURE_PAGE);
            clearTimeout(timer);
            reject(oauthError(error, current.origin, "Finish the sign-in"));
          },
        );
      });
      Promise.resolve(ready()).catch(reject);
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

export interface DeviceCodeOptions extends TokenRequestOptions {
  /** Called once with what the user must do (print it). */
  onUserCode(prompt: { userCode: string; verificationUri: string; verificationUriComplete?: string; expiresIn: number }): void;
  signal?: AbortSignal;
}

/** RFC 8628: start the device authorization, show the code, poll as the issuer asks (interval, slow_down). */
export async function deviceCodeToken(spec: OAuthClientSpec, options: DeviceCodeOptions): Promise<OAuthTokens> {
  const client = await library();
  const config = await oauthConfiguration(spec);
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new AgentcoreError(`The issuer at ${spec.discoveryUrl} has no device authorization endpoint.`, {
      code: "OAuthError",
      hint: "Cognito does not offer the device flow: use --flow authorization-code (browser) or client-credentials.",
    });
  }
  try {
    const started = await client.initiateDeviceAuthorization(config, { scope: options.scope ?? "openid", ...requestParameters(options) });
    options.onUserCode({
      userCode: started.user_code,
      verificationUri: started.verification_uri,
      ...(started.verification_uri_complete ? { verificationUriComplete: started.verification_uri_complete } : {}),
      expiresIn: started.expires_in,
    });
    const now = Date.now();
    return tokensFrom(
      await client.pollDeviceAuthorizationGrant(config, started, undefined, { signal: options.signal }),
      spec.clientId,
      now,
    );
  } catch (error) {
    throw oauthError(error, spec.discoveryUrl, "Sign in with the device code");
  }
}

/** Which grants the issuer lists (undefined: its document does not say). */
export async function issuerCapabilities(
  spec: OAuthClientSpec,
): Promise<{ grants?: string[]; device: boolean; authorize: boolean; tokenEndpoint?: string }> {
  const metadata = (await oauthConfiguration(spec)).serverMetadata();
  return {
    ...(metadata.grant_types_supported ? { grants: metadata.grant_types_supported } : {}),
    device: Boolean(metadata.device_authorization_endpoint),
    authorize: Boolean(metadata.authorization_endpoint),
    ...(metadata.token_endpoint ? { tokenEndpoint: metadata.token_endpoint } : {}),
  };
}
