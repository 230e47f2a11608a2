/** The size-limit step: a declared request body over InvokeAgentRuntime's payload limit is refused before it is read. */
import type http from "node:http";
import { MAX_REQUEST_BYTES } from "./contract.js";
import type { Rejection } from "./types.js";

/** The request's declared body length (0 when it declares none). */
export function declaredLength(req: http.IncomingMessage): number {
  return Number(req.headers["content-length"] ?? 0);
}

export function requestSizeProblem(req: http.IncomingMessage): Rejection | undefined {
  if (declaredLength(req) <= MAX_REQUEST_BYTES) return undefined;
  return {
    status: 400,
    errorType: "ValidationException",
    message: `1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length less than or equal to ${MAX_REQUEST_BYTES}`,
  };
}
