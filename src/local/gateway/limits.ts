/**
 * The size-limit step: a declared request body over InvokeAgentRuntime's payload limit is refused before it is
 * read; a streamed (chunked) one is counted as it passes (forward.ts).
 */
import type http from "node:http";
import { MAX_REQUEST_BYTES } from "./contract.js";
import type { Rejection } from "./types.js";

/** The request's declared body length (0 when it declares none). */
export function declaredLength(req: http.IncomingMessage): number {
  return Number(req.headers["content-length"] ?? 0);
}

export function requestSizeProblem(req: http.IncomingMessage): Rejection | undefined {
  return declaredLength(req) <= MAX_REQUEST_BYTES ? undefined : payloadTooLarge();
}

/** The service's answer to a payload over the limit, whether declared or counted as it streams. */
export function payloadTooLarge(): Rejection {
  return {
    status: 400,
    errorType: "ValidationException",
    message: `1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length less than or equal to ${MAX_REQUEST_BYTES}`,
  };
}
