/** The session step: the caller's runtime session id, or a new one, within the service's length limits. */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { SESSION_HEADER } from "./contract.js";
import type { Rejection } from "./types.js";

/** The session id the caller gave, else `routed` (an MCP session's route), else a fresh one (as the service makes one up). */
export function sessionIdOf(req: http.IncomingMessage, routed?: string): string {
  const given = req.headers[SESSION_HEADER];
  return typeof given === "string" ? given : (routed ?? randomUUID());
}

/** runtimeSessionId must be 33 to 256 characters, with the service's ValidationException wording. */
export function sessionLengthProblem(sessionId: string): Rejection | undefined {
  if (sessionId.length >= 33 && sessionId.length <= 256) return undefined;
  return {
    status: 400,
    errorType: "ValidationException",
    message: `1 validation error detected: Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length ${sessionId.length < 33 ? "greater than or equal to 33" : "less than or equal to 256"}`,
  };
}
