/**
 * Who called the agent, read from the inbound bearer JWT.
 *
 * AgentCore Runtime has ALREADY verified this token (signature, issuer, expiry, allowed clients/audiences)
 * before the request reaches the container, so the agent only decodes it. The header is forwarded only when
 * the runtime's requestHeaderAllowlist contains "Authorization" (agentcore-ts local gateway: the same rule).
 */
import { decodeJwt } from "jose";

export interface Caller {
  /** Cognito access tokens carry `username`; ID tokens `cognito:username`; other issuers usually only `sub`. */
  username?: string;
  /** Cognito access tokens carry `client_id` (and no `aud`); other issuers put the client in `aud` or `azp`. */
  clientId?: string;
  issuer?: string;
}

export type CallerLookup = { kind: "none" } | { kind: "caller"; caller: Caller } | { kind: "not-a-jwt" };

function stringClaim(claims: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = claims[name];
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

/** Reads the Authorization header (any case) from the SDK's filtered context.headers. Never verifies. */
export function callerFromHeaders(headers: Record<string, string>): CallerLookup {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === "authorization");
  if (!entry) return { kind: "none" };
  const token = entry[1].replace(/^Bearer\s+/i, "").trim();
  try {
    const claims = decodeJwt(token);
    return {
      kind: "caller",
      caller: {
        username: stringClaim(claims, "username", "cognito:username", "preferred_username", "sub"),
        clientId: stringClaim(claims, "client_id", "azp") ?? (typeof claims.aud === "string" ? claims.aud : undefined),
        issuer: stringClaim(claims, "iss"),
      },
    };
  } catch {
    return { kind: "not-a-jwt" };
  }
}

/** One sentence for the answer, e.g. `(Called by user "testuser" via app client "abc123".)`. */
export function describeCaller(lookup: CallerLookup): string | undefined {
  switch (lookup.kind) {
    case "none":
      return undefined;
    case "not-a-jwt":
      return "(The request carried an Authorization header, but it is not a JWT.)";
    case "caller": {
      const { username, clientId } = lookup.caller;
      const who = username ? `user "${username}"` : "an unnamed principal";
      return `(Called by ${who}${clientId ? ` via app client "${clientId}"` : ""}.)`;
    }
  }
}
