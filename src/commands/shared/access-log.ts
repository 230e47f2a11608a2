/**
 * The gateway's access-log line, as `launch --local` prints it per request and `logs --local` shows it
 * from the request log: `POST /runtimes/x/invocations 200 12ms session=… caller=alice client=abc scope="a b" (reason)`;
 * a WebSocket gets one line when it opens or is refused and one when it closes (`GET /runtimes/x/ws 101 5012ms … websocket closed`).
 * Identifiers of the verified token only, never the token.
 */
import type { GatewayLogEvent } from "../../local/gateway.js";

export function accessLogText(event: GatewayLogEvent): string {
  const session = event.sessionId ? ` session=${event.sessionId}` : "";
  const error = event.errorType ? ` ${event.errorType}` : "";
  const reason = event.reason ? ` (${event.reason})` : "";
  return `${event.method} ${event.path} ${event.status}${error} ${event.ms}ms${session}${callerText(event)}${websocketText(event)}${reason}`;
}

/** A WebSocket's line: ` websocket opened`, ` websocket refused` or ` websocket closed` (its `ms` is then how long it was open). */
function websocketText(event: GatewayLogEvent): string {
  return event.websocket ? ` websocket ${event.websocket}` : "";
}

/** Who called, as the verified token names them: ` caller=alice client=abc scope="a b"`. */
function callerText(event: GatewayLogEvent): string {
  const c = event.caller;
  if (!c) return "";
  const who = c.username ?? c.sub;
  const parts = [who ? `caller=${who}` : "", c.clientId ? `client=${c.clientId}` : "", c.scope ? `scope=${JSON.stringify(c.scope)}` : ""];
  return parts
    .filter(Boolean)
    .map((p) => ` ${p}`)
    .join("");
}
