/**
 * The server's tools, deterministic and offline: calculator (one arithmetic operation on two numbers),
 * weather (a fixed demo forecast per city, like the workshop's weather tool) and whoami (the caller's
 * claims from the forwarded bearer token). Each is a plain function so tests can call it directly.
 */
import { decodeJwt } from "jose";
import { z } from "zod";

export const calculatorInput = {
  operation: z.enum(["add", "subtract", "multiply", "divide", "power"]).describe("the operation to apply to a and b"),
  a: z.number().describe("the first operand"),
  b: z.number().describe("the second operand"),
};

export function calculate({
  operation,
  a,
  b,
}: {
  operation: "add" | "subtract" | "multiply" | "divide" | "power";
  a: number;
  b: number;
}): number {
  switch (operation) {
    case "add":
      return a + b;
    case "subtract":
      return a - b;
    case "multiply":
      return a * b;
    case "divide":
      if (b === 0) throw new Error("cannot divide by zero");
      return a / b;
    case "power":
      return a ** b;
  }
}

export const weatherInput = { city: z.string().min(1).max(100).describe("the city to report on") };

const CONDITIONS = ["sunny", "cloudy", "light rain", "windy", "foggy"] as const;

/** A demo forecast: the same city always gets the same answer (no network, no clock). */
export function weather({ city }: { city: string }): { city: string; condition: string; temperatureC: number } {
  let hash = 0;
  for (const ch of city.trim().toLowerCase()) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return { city: city.trim(), condition: CONDITIONS[hash % CONDITIONS.length]!, temperatureC: 5 + (hash % 25) };
}

export interface Caller {
  authenticated: boolean;
  /** Cognito access tokens carry `username`; other issuers usually only `sub`. */
  username?: string;
  clientId?: string;
  issuer?: string;
  scope?: string;
  /** Why there is no caller: no Authorization header, or not a JWT. */
  note?: string;
}

/**
 * The caller, from the Authorization header AgentCore forwarded (only when the runtime's
 * requestHeaderAllowlist holds "Authorization"). AgentCore Runtime already verified the token
 * (signature, issuer, expiry, allowed clients) before the request reached the container, so it is
 * only decoded here, never trusted for anything the runtime did not check.
 */
export function whoami(authorization: string | undefined): Caller {
  if (!authorization)
    return { authenticated: false, note: "no Authorization header reached the server (add it to the requestHeaderAllowlist)" };
  try {
    const claims = decodeJwt(authorization.replace(/^Bearer\s+/i, "").trim());
    const str = (name: string) => (typeof claims[name] === "string" ? (claims[name] as string) : undefined);
    return {
      authenticated: true,
      username: str("username") ?? str("cognito:username") ?? str("preferred_username") ?? str("sub"),
      clientId: str("client_id") ?? str("azp") ?? (typeof claims.aud === "string" ? claims.aud : undefined),
      issuer: str("iss"),
      scope: str("scope"),
    };
  } catch {
    return { authenticated: false, note: "the Authorization header does not hold a JWT" };
  }
}
