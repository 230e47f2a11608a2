/**
 * The gateway's access-log line, as `launch --local` prints it per request and `logs --local` shows it
 * from the request log: `POST /runtimes/x/invocations 200 12ms session=… caller=alice client=abc scope="a b" (reason)`.
 * Identifiers of the verified token only, never the token.
 */
import type { GatewayLogEvent } from "../../local/gateway.js";

export function accessLogText(event: GatewayLogEvent): string {
  const session = event.sessionId ? ` session=${event.sessionId}` : "";
  const error = event.errorType ? ` ${event.errorType}` : "";
  const reason = event.reason ? ` (${event.reason})` : "";
  return `${event.method} ${event.path} ${event.status}${error} ${event.ms}ms${session}${callerText(event)}${reason}`;
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
