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

/**
 * runtimeSessionId must be 33 to 256 characters, with the service's ValidationException wording. The
 * API model (InvokeAgentRuntimeRequest.runtimeSessionId, shape SessionType: `smithy.api#length` 33..256,
 * no pattern; the installed SDK carries no constraint of its own) counts characters, i.e. Unicode code
 * points (https://smithy.io/2.0/spec/constraint-traits.html#length-trait). Node reads header bytes as
 * latin1, so a UTF-8 id is decoded before it is counted; the header itself is forwarded and echoed as
 * received, byte for byte.
 */
export function sessionLengthProblem(sessionId: string): Rejection | undefined {
  // Fast path: ASCII ids (every byte one character) within the limits.
  const length = ASCII.test(sessionId) ? sessionId.length : [...readableSessionId(sessionId)].length;
  if (length >= 33 && length <= 256) return undefined;
  return {
    status: 400,
    errorType: "ValidationException",
    message: `1 validation error detected: Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length ${length < 33 ? "greater than or equal to 33" : "less than or equal to 256"}`,
  };
}

const ASCII = /^[\x20-\x7e]*$/;

/** A header value as received (its bytes as latin1), read as UTF-8: what the caller sent, for counting and logs. */
export function readableSessionId(latin1: string): string {
  return ASCII.test(latin1) ? latin1 : Buffer.from(latin1, "latin1").toString("utf8");
}
