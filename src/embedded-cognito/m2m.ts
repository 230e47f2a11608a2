/**
 * What the embedded Cognito adds to cognito-local 5.3.0 for machine-to-machine tokens, which it
 * lacks (no resource servers, no domains, no client_credentials grant, a fixed scope):
 *
 * - the resource-server and domain operations of the Cognito API (CreateResourceServer, Describe-,
 *   List-, Update-, DeleteResourceServer; CreateUserPoolDomain, Describe-, DeleteUserPoolDomain),
 *   with their state in <data dir>/m2m.json. A domain is ACTIVE at once (the real one takes a minute).
 * - the token endpoint (POST /oauth2/token) for grant_type=client_credentials, with the rules of the
 *   real one (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html): client
 *   authentication by HTTP Basic or client_secret_post, the client must allow client_credentials and
 *   have a secret, each scope must be a custom scope "<resource server>/<scope>" the client allows;
 *   no scope asks for all of them. The access token has the claims of a real M2M token (sub and
 *   client_id = the client, token_use access, scope, iss, exp, iat, auth_time, jti, version 2; no
 *   username) and is signed with cognito-local's key, which its JWKS serves.
 * - Basic client authentication for the grants cognito-local has (authorization_code, refresh_token):
 *   the secret is checked and the client id passed on in the body, where cognito-local reads it.
 *
 * Used by server.ts only (it runs in the embedded Cognito's process).
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { vendoredCognitoLocal } from "./vendored.js";

interface ResourceServer {
  UserPoolId: string;
  Identifier: string;
  Name: string;
  Scopes: Array<{ ScopeName: string; ScopeDescription: string }>;
}

interface State {
  resourceServers: Record<string, Record<string, ResourceServer>>;
  /** domain -> pool */
  domains: Record<string, { UserPoolId: string; CreatedAt: string }>;
}

interface AppClient {
  ClientId: string;
  UserPoolId: string;
  ClientSecret?: string;
  AllowedOAuthFlows?: string[];
  AllowedOAuthScopes?: string[];
  AllowedOAuthFlowsUserPoolClient?: boolean;
  AccessTokenValidity?: number;
  TokenValidityUnits?: { AccessToken?: string };
}

export interface M2mContext {
  dataDir: string;
  /** This server's base URL (the issuer of pool P is `${base}/${P}`). */
  base: () => string;
  poolExists: (poolId: string) => boolean;
}

const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
const OPERATIONS = new Set([
  "CreateResourceServer",
  "DescribeResourceServer",
  "ListResourceServers",
  "UpdateResourceServer",
  "DeleteResourceServer",
  "CreateUserPoolDomain",
  "DescribeUserPoolDomain",
  "DeleteUserPoolDomain",
]);

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function stateFile(ctx: M2mContext): string {
  return path.join(ctx.dataDir, "m2m.json");
}

function readState(ctx: M2mContext): State {
  try {
    return JSON.parse(readFileSync(stateFile(ctx), "utf8")) as State;
  } catch {
    return { resourceServers: {}, domains: {} };
  }
}

function writeState(ctx: M2mContext, state: State): void {
  writeFileSync(stateFile(ctx), JSON.stringify(state, null, 2), { mode: 0o600 });
}

/** The pool's domain, if it has one (what the discovery document's endpoints depend on). */
export function domainOf(ctx: M2mContext, poolId: string): string | undefined {
  const state = readState(ctx);
  return Object.entries(state.domains).find(([, d]) => d.UserPoolId === poolId)?.[0];
}

function readClient(ctx: M2mContext, clientId: string): AppClient | undefined {
  const file = path.join(ctx.dataDir, ".cognito", "db", "clients.json");
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { Clients?: Record<string, AppClient> }).Clients?.[clientId];
  } catch {
    return undefined;
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function requirePool(ctx: M2mContext, poolId: unknown): string {
  if (typeof poolId !== "string" || !ctx.poolExists(poolId)) {
    throw new ServiceError("ResourceNotFoundException", `User pool ${String(poolId)} does not exist.`);
  }
  return poolId;
}

function runOperation(ctx: M2mContext, operation: string, input: Record<string, unknown>): unknown {
  const state = readState(ctx);
  const poolServers = (poolId: string) => {
    state.resourceServers[poolId] ??= {};
    return state.resourceServers[poolId];
  };
  switch (operation) {
    case "CreateResourceServer":
    case "UpdateResourceServer": {
      const poolId = requirePool(ctx, input.UserPoolId);
      const identifier = String(input.Identifier ?? "");
      if (!identifier) throw new ServiceError("InvalidParameterException", "Identifier is required.");
      const servers = poolServers(poolId);
      if (operation === "CreateResourceServer" && servers[identifier]) {
        throw new ServiceError("InvalidParameterException", `${identifier} already exists in this user pool.`);
      }
      if (operation === "UpdateResourceServer" && !servers[identifier]) {
        throw new ServiceError("ResourceNotFoundException", `Resource server ${identifier} does not exist.`);
      }
      const server: ResourceServer = {
        UserPoolId: poolId,
        Identifier: identifier,
        Name: String(input.Name ?? identifier),
        Scopes: (input.Scopes as ResourceServer["Scopes"] | undefined) ?? [],
      };
      servers[identifier] = server;
      writeState(ctx, state);
      return { ResourceServer: server };
    }
    case "DescribeResourceServer": {
      const poolId = requirePool(ctx, input.UserPoolId);
      const server = state.resourceServers[poolId]?.[String(input.Identifier)];
      if (!server) throw new ServiceError("ResourceNotFoundException", `Resource server ${String(input.Identifier)} does not exist.`);
      return { ResourceServer: server };
    }
    case "ListResourceServers": {
      const poolId = requirePool(ctx, input.UserPoolId);
      return { ResourceServers: Object.values(state.resourceServers[poolId] ?? {}) };
    }
    case "DeleteResourceServer": {
      const poolId = requirePool(ctx, input.UserPoolId);
      if (!state.resourceServers[poolId]?.[String(input.Identifier)]) {
        throw new ServiceError("ResourceNotFoundException", `Resource server ${String(input.Identifier)} does not exist.`);
      }
      delete state.resourceServers[poolId][String(input.Identifier)];
      writeState(ctx, state);
      return {};
    }
    case "CreateUserPoolDomain": {
      const poolId = requirePool(ctx, input.UserPoolId);
      const domain = String(input.Domain ?? "");
      if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domain)) {
        throw new ServiceError(
          "InvalidParameterException",
          `Domain ${domain} is not a valid prefix (lower-case letters, digits, hyphens).`,
        );
      }
      if (state.domains[domain]) throw new ServiceError("InvalidParameterException", "Domain already associated with another user pool.");
      if (domainOf(ctx, poolId))
        throw new ServiceError("InvalidParameterException", `User pool ${poolId} already has a domain configured.`);
      state.domains[domain] = { UserPoolId: poolId, CreatedAt: new Date().toISOString() };
      writeState(ctx, state);
      return { ManagedLoginVersion: 1 };
    }
    case "DescribeUserPoolDomain": {
      const domain = String(input.Domain ?? "");
      const found = state.domains[domain];
      // Like the real service: an unknown domain gives an empty description, not an error.
      if (!found || !ctx.poolExists(found.UserPoolId)) return { DomainDescription: {} };
      return {
        DomainDescription: { UserPoolId: found.UserPoolId, Domain: domain, Status: "ACTIVE", AWSAccountId: "local", Version: "1" },
      };
    }
    case "DeleteUserPoolDomain": {
      const domain = String(input.Domain ?? "");
      if (state.domains[domain]?.UserPoolId !== input.UserPoolId) {
        throw new ServiceError(
          "InvalidParameterException",
          `Domain ${domain} is not associated with user pool ${String(input.UserPoolId)}.`,
        );
      }
      delete state.domains[domain];
      writeState(ctx, state);
      return {};
    }
    default:
      throw new ServiceError("InternalErrorException", `unexpected operation ${operation}`);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, type = "application/json"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Client id and secret from HTTP Basic (RFC 6749 2.3.1: form-urlencoded before base64) or the body. */
function clientAuth(req: http.IncomingMessage, form: URLSearchParams): { clientId?: string; secret?: string; basic: boolean } {
  const header = req.headers.authorization ?? "";
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)), basic: true };
  }
  return { clientId: form.get("client_id") ?? undefined, secret: form.get("client_secret") ?? undefined, basic: false };
}

let signingKey: Promise<CryptoKey> | undefined;

/** cognito-local's own key pair (the one its JWKS serves, kid "CognitoLocal"), from the vendored bundle. */
function privateKey(): Promise<CryptoKey> {
  signingKey ??= (async () => {
    const { jwk } = vendoredCognitoLocal().privateKey;
    const { importJWK } = await import("jose");
    return (await importJWK(jwk, "RS256")) as CryptoKey;
  })();
  return signingKey;
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

async function clientCredentials(ctx: M2mContext, client: AppClient, form: URLSearchParams, res: http.ServerResponse): Promise<void> {
  const oauthError = (error: string, description: string) => sendJson(res, 400, { error, error_description: description });
  if (!client.AllowedOAuthFlowsUserPoolClient || !client.AllowedOAuthFlows?.includes("client_credentials")) {
    return oauthError("unauthorized_client", "Client is not enabled for the client_credentials flow.");
  }
  const state = readState(ctx);
  const custom = new Set(
    Object.values(state.resourceServers[client.UserPoolId] ?? {}).flatMap((s) =>
      s.Scopes.map((scope) => `${s.Identifier}/${scope.ScopeName}`),
    ),
  );
  const allowed = (client.AllowedOAuthScopes ?? []).filter((s) => custom.has(s));
  const requested = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
  const granted = requested.length > 0 ? requested : allowed;
  if (granted.length === 0 || granted.some((s) => !allowed.includes(s))) {
    return oauthError("invalid_scope", "Invalid scope requested.");
  }
  const now = Math.floor(Date.now() / 1000);
  const unit = UNIT_SECONDS[client.TokenValidityUnits?.AccessToken ?? "hours"] ?? 3600;
  const expiresIn = client.AccessTokenValidity ? client.AccessTokenValidity * unit : 3600;
  const { SignJWT } = await import("jose");
  const accessToken = await new SignJWT({
    sub: client.ClientId,
    token_use: "access",
    scope: granted.join(" "),
    auth_time: now,
    version: 2,
    jti: randomUUID(),
    client_id: client.ClientId,
  })
    .setProtectedHeader({ alg: "RS256", kid: "CognitoLocal" })
    .setIssuer(`${ctx.base()}/${client.UserPoolId}`)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(await privateKey());
  sendJson(res, 200, { access_token: accessToken, expires_in: expiresIn, token_type: "Bearer" });
}

/**
 * Handles what cognito-local lacks, else hands the request to cognito-local with `forward`: as it
 * is, or (once this function has read the body) as a new body and headers to send it.
 */
export async function handleM2m(
  ctx: M2mContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  forward: (replayed?: { path: string; body: Buffer; headers: http.IncomingHttpHeaders }) => void,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const target = String(req.headers["x-amz-target"] ?? "");
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
  if (req.method === "POST" && url.pathname === "/" && OPERATIONS.has(operation)) {
    const body = await readBody(req);
    try {
      const input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
      sendJson(res, 200, runOperation(ctx, operation, input), "application/x-amz-json-1.1");
    } catch (error) {
      const type = error instanceof ServiceError ? error.type : "InvalidParameterException";
      sendJson(res, 400, { __type: type, message: (error as Error).message }, "application/x-amz-json-1.1");
    }
    return;
  }
  if (req.method === "POST" && url.pathname === "/" && operation === "DeleteUserPool") {
    // Like the real service: a pool with a domain cannot be deleted until the domain is.
    const body = await readBody(req);
    let poolId = "";
    try {
      poolId = String((JSON.parse(body.toString("utf8") || "{}") as { UserPoolId?: unknown }).UserPoolId ?? "");
    } catch {
      // cognito-local answers the malformed request
    }
    if (poolId && domainOf(ctx, poolId)) {
      sendJson(
        res,
        400,
        {
          __type: "InvalidParameterException",
          message: "User pool cannot be deleted. It has a domain configured that should be deleted first.",
        },
        "application/x-amz-json-1.1",
      );
      return;
    }
    return forward({ path: "/", body, headers: req.headers });
  }
  if (!(req.method === "POST" && url.pathname === "/oauth2/token")) return forward();

  const body = await readBody(req);
  const form = new URLSearchParams(body.toString("utf8"));
  const auth = clientAuth(req, form);
  const grant = form.get("grant_type");
  const client = auth.clientId ? readClient(ctx, auth.clientId) : undefined;
  const invalidClient = () => sendJson(res, 400, { error: "invalid_client", error_description: "Client authentication failed." });
  if (grant === "client_credentials") {
    if (!client?.ClientSecret || auth.secret === undefined || !sameSecret(auth.secret, client.ClientSecret)) return invalidClient();
    return clientCredentials(ctx, client, form, res);
  }
  // A confidential client's secret is checked here (cognito-local checks none), then cognito-local
  // gets the client id in the body, where it reads it.
  if (client?.ClientSecret && (auth.secret === undefined || !sameSecret(auth.secret, client.ClientSecret))) return invalidClient();
  if (auth.basic && auth.clientId) form.set("client_id", auth.clientId);
  form.delete("client_secret");
  const headers = { ...req.headers };
  delete headers.authorization;
  forward({ path: "/oauth2/token", body: Buffer.from(form.toString()), headers });
}
