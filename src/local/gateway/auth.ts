/**
 * The gateway's inbound auth, as AgentCore Runtime enforces it, with the service's status, error type
 * and message (docs/local-development.md lists each answer and its source). customJWTAuthorizer:
 * no bearer token -> 401 "Missing Authentication Token" + WWW-Authenticate; SigV4 -> 403 method
 * mismatch; bad token or claim not allowed -> 401; unparseable token -> 403; issuer down -> 503. This
 * tool's own explanation of a refusal goes to the access log (Rejection.reason), not into the answer.
 * IAM agents: bearer -> 403 method mismatch; SigV4-shaped requests (a signed Authorization header, or
 * for a WebSocket handshake a presigned URL's X-Amz-* query) are accepted WITHOUT verifying the signature
 * (local only). Also the RFC 9728 protected resource
 * metadata that the 401's WWW-Authenticate points at.
 */
import type http from "node:http";
import type { CustomJwtAuthorizer } from "../../config/schema.js";
import { AUTH_METHOD_MISMATCH } from "./contract.js";
import type { GatewayCaller, GatewayContext, Rejection, RequestState } from "./types.js";

/** The identifiers of a verified token's claims for the access log (Cognito: username; ID tokens: cognito:username). */
function callerOf(claims: Record<string, unknown>): GatewayCaller {
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const caller: GatewayCaller = {};
  const sub = text(claims.sub);
  const username = text(claims.username) ?? text(claims["cognito:username"]);
  const clientId = text(claims.client_id) ?? text(claims.azp);
  const scope = text(claims.scope);
  if (sub) caller.sub = sub;
  if (username) caller.username = username;
  if (clientId) caller.clientId = clientId;
  if (scope) caller.scope = scope;
  return caller;
}

/** The service's text for a request without a token (observed on a real runtime; AWS's own APIs answer unsigned requests so too). */
const MISSING_TOKEN = "Missing Authentication Token";

function resourceMetadataUrl(ctx: GatewayContext, label: string, qualifier: string): string {
  return `${ctx.baseUrl()}/runtimes/${encodeURIComponent(label)}/invocations/.well-known/oauth-protected-resource?qualifier=${encodeURIComponent(qualifier)}`;
}

/** Undefined when the request may go on to the agent, else the refusal. */
export async function inboundAuth(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  label: string,
  qualifier: string,
  state?: RequestState,
  query?: URLSearchParams,
): Promise<Rejection | undefined> {
  const authorization = req.headers.authorization;
  const scheme = authorization?.trimStart().slice(0, 16).toUpperCase() ?? "";
  const noAuthorization = authorization === undefined || /^\s*(bearer)?\s*$/i.test(authorization);
  // A WebSocket handshake may carry its SigV4 signature in the URL instead (a presigned URL, runtime-get-started-websocket).
  const presigned = noAuthorization && query !== undefined && isPresignedQuery(query);
  if (ctx.authorizer) {
    const missing = (reason: string): Rejection => ({
      status: 401,
      errorType: "UnauthorizedException",
      message: MISSING_TOKEN,
      headers: { "WWW-Authenticate": `Bearer resource_metadata="${resourceMetadataUrl(ctx, label, qualifier)}"` },
      reason,
    });
    if (presigned || scheme.startsWith("AWS4-HMAC-SHA256")) {
      return {
        status: 403,
        errorType: "AccessDeniedException",
        message: AUTH_METHOD_MISMATCH,
        reason: presigned ? "a SigV4 presigned URL to a JWT agent" : "a SigV4 request to a JWT agent",
      };
    }
    if (noAuthorization) return missing("no bearer token: this agent requires Authorization: Bearer <access token>");
    // Another scheme (Basic, a bare token) carries no bearer token: answered as a missing one (RFC 6750 section 3).
    if (!scheme.startsWith("BEARER ")) return missing('the Authorization header is not "Bearer <access token>"');
    const decision = await ctx.authorizer.authorize(authorization.trimStart().slice(7));
    if (!decision.allowed) {
      return { status: decision.httpStatus, errorType: decision.errorType, message: decision.message, reason: decision.explanation };
    }
    if (state) state.caller = callerOf(decision.claims as Record<string, unknown>);
    return undefined;
  }
  if (scheme.startsWith("BEARER")) {
    return {
      status: 403,
      errorType: "AccessDeniedException",
      message: AUTH_METHOD_MISMATCH,
      reason: "a bearer token to an IAM (SigV4) agent",
    };
  }
  if (!presigned && !scheme.startsWith("AWS4-HMAC-SHA256")) {
    return {
      status: 403,
      errorType: "MissingAuthenticationTokenException",
      message: MISSING_TOKEN,
      reason: "an unsigned request: this agent uses IAM (SigV4) inbound auth; sign the request with SigV4",
    };
  }
  return undefined;
}

/**
 * The shape of a SigV4 presigned URL's query (the query-string form of SigV4:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html): the algorithm and the credential,
 * date, signed headers and signature parameters. Like a signed header, it is not verified locally.
 */
export function isPresignedQuery(query: URLSearchParams): boolean {
  return (
    query.get("X-Amz-Algorithm") === "AWS4-HMAC-SHA256" &&
    ["X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"].every((name) => Boolean(query.get(name)))
  );
}

/**
 * The scopes the PRM advertises: allowedScopes, each mapped through advertisedScopeMapping (keys are
 * the scopes validated, values what is advertised; unmapped scopes are shown as they are), per the
 * SDK model's CustomJWTAuthorizerConfiguration. Documented for AgentCore Gateway; for a Runtime it is
 * inferred (docs/protocols.md).
 */
export function advertisedScopes(jwt: CustomJwtAuthorizer): string[] | undefined {
  if (!jwt.allowedScopes?.length) return undefined;
  const mapping = jwt.advertisedScopeMapping ?? {};
  return [...new Set(jwt.allowedScopes.map((scope) => mapping[scope] ?? scope))];
}

/**
 * GET …/invocations/.well-known/oauth-protected-resource: writes the RFC 9728 metadata
 * (https://www.rfc-editor.org/rfc/rfc9728#section-2) the 401's WWW-Authenticate points at, or returns
 * the refusal for an IAM agent. As observed on a Runtime: `resource` is the invoke URL with its
 * qualifier, `authorization_servers` the issuer named by the discovery document (its URL without the
 * well-known suffix when the issuer cannot be reached), plus `scopes_supported` when allowedScopes is set.
 */
export async function protectedResourceMetadata(
  ctx: GatewayContext,
  res: http.ServerResponse,
  label: string,
  qualifier: string,
): Promise<Rejection | undefined> {
  const jwt = ctx.agent.authorizer;
  if (!jwt) {
    return {
      status: 404,
      errorType: "ResourceNotFoundException",
      message: `Agent '${ctx.agent.name}' uses IAM (SigV4) inbound auth and has no OAuth protected resource metadata.`,
    };
  }
  let issuer = jwt.discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, "");
  try {
    if (ctx.authorizer) issuer = (await ctx.authorizer.discover()).issuer;
  } catch {
    // the issuer is down: the discovery URL still names it
  }
  const scopes = advertisedScopes(jwt);
  const body = JSON.stringify({
    resource: `${ctx.baseUrl()}/runtimes/${encodeURIComponent(label)}/invocations?qualifier=${encodeURIComponent(qualifier)}`,
    authorization_servers: [issuer],
    ...(scopes ? { scopes_supported: scopes } : {}),
  });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
  return undefined;
}
