/**
 * The gateway's inbound auth, as AgentCore Runtime enforces it. customJWTAuthorizer: missing/empty
 * bearer -> 401 + WWW-Authenticate; SigV4 -> 403 method mismatch; bad token -> 401; claim not allowed
 * -> 403; issuer down -> 503. IAM agents: bearer -> 403 method mismatch; SigV4-shaped requests are
 * accepted WITHOUT verifying the signature (local only). Also the RFC 9728 protected resource
 * metadata that the 401's WWW-Authenticate points at.
 */
import type http from "node:http";
import { AUTH_METHOD_MISMATCH } from "./contract.js";
import type { GatewayContext, Rejection } from "./types.js";

function resourceMetadataUrl(ctx: GatewayContext, label: string, qualifier: string): string {
  return `${ctx.baseUrl()}/runtimes/${encodeURIComponent(label)}/invocations/.well-known/oauth-protected-resource?qualifier=${encodeURIComponent(qualifier)}`;
}

/** Undefined when the request may go on to the agent, else the refusal. */
export async function inboundAuth(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  label: string,
  qualifier: string,
): Promise<Rejection | undefined> {
  const authorization = req.headers.authorization;
  const scheme = authorization?.trimStart().slice(0, 16).toUpperCase() ?? "";
  if (ctx.authorizer) {
    if (authorization === undefined || /^\s*(bearer)?\s*$/i.test(authorization)) {
      return {
        status: 401,
        errorType: "UnauthorizedException",
        message: "Missing or empty Authorization header: this agent requires an OAuth bearer token (Authorization: Bearer <access token>).",
        headers: { "WWW-Authenticate": `Bearer resource_metadata="${resourceMetadataUrl(ctx, label, qualifier)}"` },
      };
    }
    if (scheme.startsWith("AWS4-HMAC-SHA256")) return { status: 403, errorType: "AccessDeniedException", message: AUTH_METHOD_MISMATCH };
    if (!scheme.startsWith("BEARER ")) {
      return {
        status: 401,
        errorType: "UnauthorizedException",
        message: 'Invalid Authorization header: expected "Bearer <access token>".',
      };
    }
    const decision = await ctx.authorizer.authorize(authorization.trimStart().slice(7));
    if (!decision.allowed) return { status: decision.httpStatus, errorType: decision.errorType, message: decision.message };
    return undefined;
  }
  if (scheme.startsWith("BEARER")) return { status: 403, errorType: "AccessDeniedException", message: AUTH_METHOD_MISMATCH };
  if (!scheme.startsWith("AWS4-HMAC-SHA256")) {
    return {
      status: 403,
      errorType: "MissingAuthenticationTokenException",
      message: "Missing Authentication Token: this agent uses IAM (SigV4) inbound auth; sign the request with SigV4.",
    };
  }
  return undefined;
}

/**
 * GET …/invocations/.well-known/oauth-protected-resource: writes the RFC 9728 metadata naming the
 * agent's issuer (https://www.rfc-editor.org/rfc/rfc9728), or returns the refusal for an IAM agent.
 */
export function protectedResourceMetadata(ctx: GatewayContext, res: http.ServerResponse, label: string): Rejection | undefined {
  const jwt = ctx.agent.authorizer;
  if (!jwt) {
    return {
      status: 404,
      errorType: "ResourceNotFoundException",
      message: `Agent '${ctx.agent.name}' uses IAM (SigV4) inbound auth and has no OAuth protected resource metadata.`,
    };
  }
  const body = JSON.stringify({
    resource: `${ctx.baseUrl()}/runtimes/${encodeURIComponent(label)}/invocations`,
    authorization_servers: [jwt.discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, "")],
    bearer_methods_supported: ["header"],
    ...(jwt.allowedScopes?.length ? { scopes_supported: jwt.allowedScopes } : {}),
  });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
  return undefined;
}
