/**
 * The stream step: relays the agent's answer to the caller chunk by chunk (SSE included), within the
 * gateway's response size limit. The agent failing (refused, closed, an error status) answers 424
 * RuntimeClientError; the agent dying mid-stream cuts the caller's stream so it is seen as cut.
 */
import type http from "node:http";
import type { Dispatcher } from "undici";
import { sendError } from "./answer.js";
import type { RequestState } from "./types.js";

const ERROR_EXCERPT_CHARS = 2048;

export interface RelayOptions {
  /** The agent's base URL, for messages. */
  target: string;
  sessionId: string;
  requestId: string;
  maxResponseBytes: number;
  /** " Check <where>." or "". */
  agentLogHint: string;
  /** The agent refused the connection before the request was sent: the caller sends it again instead of a 424. */
  onRefused?: () => void;
  /** The agent closed or reset the connection before answering (this request gets its 424). */
  onLost?: () => void;
  /** Protocol headers of the answer, from the agent's response headers (undefined when it gave none): MCP's. */
  responseHeaders?: (upstream: Record<string, string | string[] | undefined> | undefined) => Record<string, string>;
}

/** The undici dispatch handler that relays one invocation's answer to `res`. */
export function relayTo(res: http.ServerResponse, state: RequestState, options: RelayOptions): Dispatcher.DispatchHandler {
  const { target, sessionId, requestId, maxResponseBytes, agentLogHint, onRefused, onLost, responseHeaders } = options;
  let controller: Dispatcher.DispatchController | undefined;
  let clientGone = false;
  let settled = false; // a 424 was sent or the relay was abandoned: ignore what the agent does next
  // The client went away: stop the agent's work on this request too.
  res.once("close", () => {
    if (res.writableFinished) return;
    clientGone = true;
    controller?.abort(new Error("client closed the connection"));
  });
  res.on("drain", () => controller?.resume());

  // The agent died mid-stream: end the client's stream without its final chunk, so it is seen as cut.
  const cutStream = () => {
    if (res.writableEnded || res.destroyed) return;
    state.problem ??= `the agent closed the stream before it finished (crashed mid-response?).${agentLogHint}`;
    if (!res.headersSent)
      sendError(res, 424, "RuntimeClientError", `The agent closed the connection before it finished its response.${agentLogHint}`, state);
    else res.destroy();
  };
  const fail424 = (message: string) => {
    settled = true;
    state.problem = message;
    sendError(res, 424, "RuntimeClientError", message, state, {
      "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": sessionId,
      ...responseHeaders?.(undefined),
    });
  };

  let status = 502;
  let length = -1;
  let relayed = 0;
  let excerpt: string | undefined; // collecting the agent's error answer (status >= 400)
  let outHeaders: http.OutgoingHttpHeaders = {};
  return {
    onRequestStart(c) {
      controller = c;
      if (clientGone) c.abort(new Error("client closed the connection"));
    },
    onResponseStart(c, statusCode, upHeaders) {
      if (res.writableEnded) settled = true; // answered already (a streamed body over the limit)
      if (settled || statusCode < 200) return; // 1xx informational
      status = statusCode;
      if (status >= 400) {
        excerpt = "";
        return;
      }
      length = Number(upHeaders["content-length"] ?? -1);
      if (length > maxResponseBytes) {
        fail424(`The agent's response (${length} bytes) exceeds the gateway's limit of ${maxResponseBytes} bytes.`);
        c.abort(new Error("response too large"));
        return;
      }
      outHeaders = {
        "content-type": upHeaders["content-type"] ?? "application/octet-stream",
        "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": sessionId,
        "x-amzn-RequestId": requestId,
        ...responseHeaders?.(upHeaders),
      };
      if (length >= 0) outHeaders["content-length"] = length;
      else outHeaders["cache-control"] = "no-cache";
    },
    onResponseData(c, chunk) {
      if (settled) return;
      if (excerpt !== undefined) {
        if (excerpt.length < ERROR_EXCERPT_CHARS) excerpt += chunk.toString("utf8");
        return;
      }
      relayed += chunk.length;
      if (relayed > maxResponseBytes) {
        const message = `The agent's response exceeds the gateway's limit of ${maxResponseBytes} bytes.`;
        settled = true;
        c.abort(new Error("response too large"));
        if (!res.headersSent) fail424(message);
        else {
          state.problem = `${message} The stream was cut.`;
          res.destroy();
        }
        return;
      }
      // Headers go out with the first chunk: a response over the limit in its first chunk still gets a clean 424.
      if (!res.headersSent) res.writeHead(status, outHeaders);
      // The whole body in one chunk (small JSON answers): headers and body leave in one write.
      if (relayed === length) res.end(chunk);
      else if (!res.write(chunk)) c.pause();
    },
    onResponseEnd() {
      if (settled) return;
      if (excerpt !== undefined) {
        const text = excerpt.slice(0, ERROR_EXCERPT_CHARS).replace(/\s+/g, " ").trim();
        fail424(`Received error (${status}) from the agent${text ? `: ${text}` : ""}.${agentLogHint}`);
        return;
      }
      if (!res.headersSent) res.writeHead(status, outHeaders);
      if (!res.writableEnded) res.end();
    },
    onResponseError(_c, error: Error & { code?: string }) {
      if (settled || clientGone || res.writableEnded) return;
      if (res.headersSent || relayed > 0) {
        cutStream();
        return;
      }
      const code = error.code ?? (error.cause as { code?: string } | undefined)?.code;
      if (code === "ECONNREFUSED" && onRefused) {
        settled = true;
        onRefused();
        return;
      }
      // This request may be what killed the agent: it is not sent again, but the next ones wait to see.
      if (code !== "ECONNREFUSED") onLost?.();
      fail424(
        code === "ECONNREFUSED"
          ? `The agent is not reachable at ${target} (connection refused): it is not running or has crashed.${agentLogHint}`
          : `The agent closed the connection without answering (${code === "UND_ERR_SOCKET" || code === undefined ? "connection closed" : code}): it may have crashed.${agentLogHint}`,
      );
    },
  };
}
