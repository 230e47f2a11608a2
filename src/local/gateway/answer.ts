/** The gateway's error answers (JSON {"message"} with x-amzn-ErrorType, like the service) and its access log. */
import http from "node:http";
import type { Duplex } from "node:stream";
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
  if (rejection.reason) state.reason = rejection.reason;
  sendError(res, rejection.status, rejection.errorType, rejection.message, state, rejection.headers);
}

/**
 * The AGUI variant of the 401 for a missing token: the same status and WWW-Authenticate challenge, but as an
 * event stream with a RUN_ERROR event whose code is UNAUTHORIZED (runtime-agui-protocol-contract), so an AG-UI
 * client sees it as a run error.
 */
export function rejectAsRunError(res: http.ServerResponse, state: RequestState, rejection: Rejection): void {
  state.errorType = rejection.errorType;
  const body = `data: ${JSON.stringify({ type: "RUN_ERROR", message: rejection.message, code: "UNAUTHORIZED" })}\n\n`;
  res.writeHead(rejection.status, {
    "content-type": "text/event-stream",
    "x-amzn-ErrorType": rejection.errorType,
    "content-length": Buffer.byteLength(body),
    ...rejection.headers,
  });
  res.end(body);
}

/** Calls `log` once the response is closed, with what the request's steps recorded in `state`. */
export function logWhenDone(res: http.ServerResponse, state: RequestState, log: ((event: GatewayLogEvent) => void) | undefined): void {
  if (!log) return;
  res.once("close", () => log(logEvent(state, res.statusCode)));
}

/** The access-log event of a request that ended with `status`, from what its steps recorded in `state`. */
export function logEvent(state: RequestState, status: number): GatewayLogEvent {
  return {
    method: state.method,
    path: state.path,
    status,
    ms: Math.round((performance.now() - state.started) * 10) / 10,
    sessionId: state.sessionId,
    errorType: state.errorType,
    problem: state.problem,
    reason: state.reason,
    ...(state.caller ? { caller: state.caller } : {}),
    ...(state.websocket ? { websocket: state.websocket } : {}),
  };
}

/**
 * A request Node's HTTP parser refused before the gateway saw it (headers over Node's 16 KB limit,
 * broken framing, a request that took too long to arrive) gets the same JSON {"message"} answer with
 * x-amzn-ErrorType as every other error, then the connection closes. Headers that are too large are 431
 * (RFC 6585 section 5, also Node's own default answer); anything else the parser refuses is 400.
 */
export function answerParserError(error: NodeJS.ErrnoException, socket: Duplex, log?: (event: GatewayLogEvent) => void): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, errorType, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [
          431,
          "ValidationException",
          `Request header fields too large: the request line and headers must fit in ${http.maxHeaderSize} bytes.`,
        ]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "RequestTimeoutException", "The request did not arrive in time."]
        : [400, "ValidationException", `Malformed HTTP request (${error.code ?? error.message}).`];
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\nx-amzn-ErrorType: ${errorType}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  log?.({ method: "-", path: "-", status, ms: 0, errorType, reason: `refused by the HTTP parser: ${error.code ?? error.message}` });
}
