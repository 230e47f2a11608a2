/**
 * GET /ws: the AgentCore Runtime WebSocket contract (a WebSocket on the same port as /invocations,
 * runtime-http-protocol-contract), as an echo that says which runtime session the connection belongs to.
 *
 * Each text message gets one JSON answer:
 *   {"type":"echo","message":"<what was sent>","sessionId":"<X-Amzn-Bedrock-AgentCore-Runtime-Session-Id>",
 *    "headers":["authorization", ...],            (names of the forwarded headers the SDK hands to handlers)
 *    "caller":"(Called by user ...)"}             (when the platform forwarded the caller's bearer JWT)
 * The message "__close__" makes the agent close the connection (code 1000), to show a close from the agent's side.
 */
import type { RequestContext } from "bedrock-agentcore/runtime";
import { callerFromHeaders, describeCaller } from "./caller.js";

/** The slice of the `ws` WebSocket the handler uses (the SDK hands it a @fastify/websocket socket). */
interface EchoSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: "close", listener: (code: number) => void): unknown;
}

export function echoOverWebSocket(socket: EchoSocket, context: RequestContext, log: (message: string) => void): void {
  log(`websocket opened (session ${context.sessionId})`);
  const caller = describeCaller(callerFromHeaders(context.headers));
  socket.on("message", (data, isBinary) => {
    const message = Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");
    if (!isBinary && message === "__close__") {
      socket.close(1000, "closed by the agent");
      return;
    }
    socket.send(
      JSON.stringify({
        type: "echo",
        message,
        sessionId: context.sessionId,
        headers: Object.keys(context.headers)
          .map((name) => name.toLowerCase())
          .sort(),
        ...(caller ? { caller } : {}),
      }),
    );
  });
  socket.on("close", (code) => log(`websocket closed (session ${context.sessionId}, code ${code})`));
}
