/** The gateway's error answers (JSON {"message"} with x-amzn-ErrorType, like the service) and its access log. */
import type http from "node:http";
import type { GatewayLogEvent, Rejection, RequestState } from "./types.js";

export function sendError(
  res: http.ServerResponse,
  status: number,
  errorType: string,
  message: string,
  state: RequestState,
  extraHeaders: Record<string, string> = {},
): void {
  state.errorType = errorType;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-ErrorType": errorType,
    "content-length": Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

/** Answers a step's refusal. */
export function reject(res: http.ServerResponse, state: RequestState, rejection: Rejection): void {
  sendError(res, rejection.status, rejection.errorType, rejection.message, state, rejection.headers);
}

/** Calls `log` once the response is closed, with what the request's steps recorded in `state`. */
export function logWhenDone(res: http.ServerResponse, state: RequestState, log: ((event: GatewayLogEvent) => void) | undefined): void {
  if (!log) return;
  res.once("close", () => {
    log({
      method: state.method,
      path: state.path,
      status: res.statusCode,
      ms: Math.round((performance.now() - state.started) * 10) / 10,
      sessionId: state.sessionId,
      errorType: state.errorType,
      problem: state.problem,
    });
  });
}
