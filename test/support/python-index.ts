/**
 * A local Python package index for tests that install dependencies with no internet: one pure-Python
 * wheel, tinydep 0.1.0, built by hand (a wheel is a zip with a dist-info directory: PEP 427) and served
 * as a PEP 503 simple index on loopback. pip gets it through PIP_INDEX_URL; any other name is a 404,
 * except `stalled`, whose page never comes (an install to interrupt).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { zipSync } from "fflate";

/** A pure-Python wheel (PEP 427) and a PEP 503 simple index serving it on loopback. */
export async function startTinyIndex(): Promise<{ url: string; close: () => Promise<void> }> {
  const enc = (s: string) => new TextEncoder().encode(s);
  const wheel = zipSync({
    "tinydep/__init__.py": enc('GREETING = "hello from tinydep"\n'),
    "tinydep-0.1.0.dist-info/METADATA": enc("Metadata-Version: 2.1\nName: tinydep\nVersion: 0.1.0\n"),
    "tinydep-0.1.0.dist-info/WHEEL": enc("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    "tinydep-0.1.0.dist-info/RECORD": enc(
      "tinydep/__init__.py,,\ntinydep-0.1.0.dist-info/METADATA,,\ntinydep-0.1.0.dist-info/WHEEL,,\ntinydep-0.1.0.dist-info/RECORD,,\n",
    ),
  });
  const file = "tinydep-0.1.0-py3-none-any.whl";
  const server = http.createServer((req, res) => {
    if (req.url === "/simple/tinydep/") {
      res.writeHead(200, { "content-type": "text/html" }).end(`<html><body><a href="/files/${file}">${file}</a></body></html>`);
    } else if (req.url === "/simple/stalled/") {
      // Never answered: the request stays open until close().
    } else if (req.url === `/files/${file}`) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(wheel));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** An HTTP agent (the runtime contract: GET /ping, POST /invocations) that answers with tinydep's greeting. */
export const TINYDEP_AGENT = `import json, os
from http.server import BaseHTTPRequestHandler, HTTPServer
import tinydep

class Handler(BaseHTTPRequestHandler):
    def _send(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        self._send({"status": "Healthy"})
    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        prompt = json.loads(self.rfile.read(length) or b"{}").get("prompt", "")
        self._send({"result": f"{tinydep.GREETING}: {prompt}"})
    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
`;
