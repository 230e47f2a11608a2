/** WebSocket handshakes with the `ws` client, for the gateway's /ws tests. */
import type { IncomingMessage } from "node:http";
import WebSocket from "ws";

export interface RefusedHandshake {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A handshake the server answers with something other than 101: its status, headers and body. Rejects when it is accepted. */
export function refusedHandshake(url: string, headers: Record<string, string>): Promise<RefusedHandshake> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.terminate();
      reject(new Error("the handshake was accepted"));
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => {
        body += d;
      });
      res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.once("error", () => undefined); // after unexpected-response, ws reports the refused handshake as an error too
  });
}
