/**
 * A wire-level fake of the AgentCore data plane (InvokeAgentRuntime) on 127.0.0.1:0, for the
 * invoke tests. It checks what the real service checks at the door:
 * - auth "sigv4": the request must carry a valid SigV4 signature for service bedrock-agentcore
 *   (re-computed with the SDK's own signer, @smithy/signature-v4) and x-amz-content-sha256 must
 *   match the body; a bearer token gets 403 "Authorization method mismatch".
 * - auth "bearer": `Authorization: Bearer <token>` is required (401 + WWW-Authenticate when
 *   missing); SigV4 gets 403 "Authorization method mismatch"; `checkToken` decides the rest.
 * - the session header must be 33-256 characters (400 ValidationException otherwise).
 * Then `respond` answers (default: an SSE stream). Every request is recorded.
 */
import { createHash, createHmac, type Hmac, type Hash as NodeHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** The Hash the signer wants, on node:crypto (SHA-256, or HMAC-SHA256 when given a secret). */
class Sha256 {
  private readonly hash: NodeHash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
export const AUTH_MISMATCH =
  "Authorization method mismatch. The agent is configured for a different authorization method than what was used in your request. Check the agent's authorization configuration and ensure your request uses the matching method (OAuth or SigV4)";

export interface RecordedRequest {
  method: string;
  /** The request target exactly as sent (path + query). */
  url: string;
  /** The ARN from the path label, percent-decoded. */
  arn?: string;
  qualifier: string | null;
  headers: http.IncomingHttpHeaders;
  /** Header names and values as sent, in order, original case. */
  rawHeaders: string[];
  body: string;
  /** For SigV4 requests: the parsed credential scope and whether the signature verified. */
  sigv4?: { accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[]; valid: boolean };
}

export interface TokenVerdict {
  status: number;
  errorType: string;
  message: string;
}

export interface FakeRuntimeOptions {
  auth: "sigv4" | "bearer";
  /** The secret of the test credentials, to verify signatures (default: test/support/setup.ts's). */
  secretAccessKey?: string;
  /** Bearer mode: undefined = accept the token; a verdict = refuse it. Default: accept any. */
  checkToken?: (token: string, request: RecordedRequest) => TokenVerdict | undefined;
  respond?: Responder;
}

export type Responder = (request: RecordedRequest, res: http.ServerResponse) => unknown;

export interface FakeRuntime {
  url: string;
  requests: RecordedRequest[];
  setResponder(respond: Responder): void;
  setTokenCheck(check: FakeRuntimeOptions["checkToken"]): void;
  stop(): Promise<void>;
}

export function sendError(
  res: http.ServerResponse,
  status: number,
  errorType: string,
  message: string,
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-ErrorType": `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrockagentcore/`,
    ...headers,
  });
  res.end(JSON.stringify({ message }));
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams `events` as SSE `data:` events (each value JSON-encoded unless it is a raw string line). */
export async function sendSse(res: http.ServerResponse, request: RecordedRequest, dataLines: string[], gapMs = 5): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", [SESSION_HEADER]: String(request.headers[SESSION_HEADER] ?? "") });
  for (const line of dataLines) {
    res.write(`data: ${line}\n\n`);
    await delay(gapMs);
  }
  res.end();
}

export const defaultResponder: Responder = (request, res) => sendSse(res, request, ['"Hello"', '" world"']);

async function verifySigv4(request: RecordedRequest, secretAccessKey: string): Promise<RecordedRequest["sigv4"]> {
  const auth = String(request.headers.authorization ?? "");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match;
  const signedHeaders = signedHeaderList.split(";");
  const amzDate = String(request.headers["x-amz-date"] ?? "");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) if (name !== "x-amz-date") headers[name] = String(request.headers[name] ?? "");
  const [path, query = ""] = request.url.split("?");
  const signer = new SignatureV4({ service, region, credentials: { accessKeyId, secretAccessKey }, sha256: Sha256 });
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: "127.0.0.1",
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body: request.body,
    },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
  const bodyHash = createHash("sha256").update(request.body).digest("hex");
  const valid = expected === signature && request.headers["x-amz-content-sha256"] === bodyHash;
  return { accessKeyId, date, region, service, signedHeaders, valid };
}

export async function startFakeRuntime(options: FakeRuntimeOptions): Promise<FakeRuntime> {
  const requests: RecordedRequest[] = [];
  let respond = options.respond ?? defaultResponder;
  let checkToken = options.checkToken;
  const secret = options.secretAccessKey ?? "test-secret-key";

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const url = req.url ?? "/";
        const route = /^\/runtimes\/([^/?]+)\/invocations(?:\?(.*))?$/.exec(url);
        const recorded: RecordedRequest = {
          method: req.method ?? "",
          url,
          arn: route ? decodeURIComponent(route[1]) : undefined,
          qualifier: new URLSearchParams(route?.[2] ?? "").get("qualifier"),
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        requests.push(recorded);
        if (!route || req.method !== "POST") return sendError(res, 404, "UnknownOperationException", `No route for ${req.method} ${url}`);
        const authorization = String(req.headers.authorization ?? "");
        if (options.auth === "sigv4") {
          if (/^bearer\s/i.test(authorization)) return sendError(res, 403, "AccessDeniedException", AUTH_MISMATCH);
          recorded.sigv4 = await verifySigv4(recorded, secret);
          if (!recorded.sigv4) return sendError(res, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
          if (!recorded.sigv4.valid) {
            return sendError(
              res,
              403,
              "InvalidSignatureException",
              "The request signature we calculated does not match the signature you provided.",
            );
          }
        } else {
          if (authorization.startsWith("AWS4-HMAC-SHA256")) return sendError(res, 403, "AccessDeniedException", AUTH_MISMATCH);
          const token = /^Bearer (.+)$/.exec(authorization)?.[1];
          if (!token) {
            res.writeHead(401, {
              "www-authenticate": `Bearer resource_metadata="${url.split("?")[0]}/.well-known/oauth-protected-resource"`,
            });
            return res.end();
          }
          const verdict = checkToken?.(token, recorded);
          if (verdict) return sendError(res, verdict.status, verdict.errorType, verdict.message);
        }
        const session = String(req.headers[SESSION_HEADER] ?? "");
        if (session.length < 33 || session.length > 256) {
          return sendError(
            res,
            400,
            "ValidationException",
            "1 validation error detected: Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length greater than or equal to 33",
          );
        }
        await respond(recorded, res);
      })().catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, "InternalServerException", String(error));
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setResponder(next) {
      respond = next;
    },
    setTokenCheck(next) {
      checkToken = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
