/**
 * Shared plumbing of the wire-level AWS fakes (aws-*.ts): a loopback HTTP server per service, the
 * SigV4 credential-scope check every AWS endpoint does first, a record of every call, and a record
 * of REJECTIONS: requests the real service would refuse as malformed (bad pattern, missing field,
 * wrong union, wrong protocol). Success tests assert there were none. Errors a test asked for
 * (injected failures) and state errors (not found, conflict) are answered but are not rejections.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface WireRequest {
  method: string;
  /** Path without the query string, percent-decoded per segment by the handler when needed. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** A streamed body (an event stream): written by this function after the status and headers; it ends the response. */
  stream?: (res: http.ServerResponse) => void;
}

export interface RecordedCall {
  /** Global order across all fakes. */
  seq: number;
  service: string;
  operation: string;
  status: number;
  /** The decoded input (JSON body, form parameters or REST members). */
  input: unknown;
  errorType?: string;
}

export interface Rejection {
  service: string;
  operation: string;
  status: number;
  type: string;
  message: string;
}

/** A service error. `rejection: true` = the request itself was invalid (the real service would refuse it too). */
export class FakeAwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly rejection = false,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A validation failure: always a rejection. */
export function invalid(type: string, message: string, status = 400, extra: Record<string, unknown> = {}): FakeAwsError {
  return new FakeAwsError(status, type, message, true, extra);
}

export interface ServiceCall {
  operation: string;
  input: unknown;
}

let sequence = 0;

/** The sequence number of the latest call to any fake (to select the calls a later step made). */
export function lastCallSeq(): number {
  return sequence;
}

export abstract class FakeAwsService {
  readonly calls: RecordedCall[] = [];
  readonly rejections: Rejection[] = [];
  url = "";
  private server?: http.Server;
  /** Set by a handler so the record names the operation even when it fails. */
  protected current: ServiceCall = { operation: "?", input: undefined };

  constructor(
    /** Name used in records ("iam", "ecr", …). */
    readonly service: string,
    /** The SigV4 signing name the real endpoint expects in the credential scope. */
    readonly signingName: string,
    /** The region expected in the credential scope (undefined: any). */
    readonly signingRegion?: string,
  ) {}

  protected abstract handle(request: WireRequest): Promise<WireResponse> | WireResponse;
  protected abstract errorResponse(error: FakeAwsError): WireResponse;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void this.dispatch(req, Buffer.concat(chunks)).then((response) => {
          res.writeHead(response.status, { "x-amzn-requestid": `req-${this.calls.length}`, ...(response.headers ?? {}) });
          if (response.stream) response.stream(res);
          else res.end(response.body ?? "");
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Calls of one operation, in order. */
  callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  private async dispatch(req: http.IncomingMessage, body: Buffer): Promise<WireResponse> {
    const url = new URL(req.url ?? "/", "http://fake");
    const request: WireRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body };
    this.current = { operation: "?", input: undefined };
    let response: WireResponse;
    try {
      this.checkSignature(req.headers);
      response = await this.handle(request);
      this.calls.push({
        seq: ++sequence,
        service: this.service,
        operation: this.current.operation,
        status: response.status,
        input: this.current.input,
      });
    } catch (error) {
      const failure =
        error instanceof FakeAwsError
          ? error
          : new FakeAwsError(500, "InternalFailure", `fake ${this.service} crashed: ${String(error)}`, true);
      if (failure.rejection) {
        this.rejections.push({
          service: this.service,
          operation: this.current.operation,
          status: failure.status,
          type: failure.type,
          message: failure.message,
        });
      }
      this.calls.push({
        seq: ++sequence,
        service: this.service,
        operation: this.current.operation,
        status: failure.status,
        input: this.current.input,
        errorType: failure.type,
      });
      response = this.errorResponse(failure);
    }
    return response;
  }

  /** Every AWS endpoint checks the SigV4 scope before anything else. */
  private checkSignature(headers: http.IncomingHttpHeaders): void {
    const auth = headers.authorization ?? "";
    const scope = /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,/.exec(auth);
    if (!scope) throw invalid("MissingAuthenticationToken", "Request is missing a SigV4 Authentication Token", 403);
    if (scope[3] !== this.signingName) {
      throw invalid(
        "InvalidSignatureException",
        `Credential should be scoped to correct service: '${this.signingName}', not '${scope[3]}'`,
        403,
      );
    }
    if (this.signingRegion && scope[2] !== this.signingRegion) {
      throw invalid("InvalidSignatureException", `Credential should be scoped to a valid region, not '${scope[2]}'`, 403);
    }
  }
}

// ---- query protocol (STS, IAM): form-encoded requests, XML responses ----

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export type XmlValue = string | number | boolean | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Query-protocol XML: objects become elements, arrays become <member> lists. */
export function toXml(value: XmlValue): string {
  if (value === undefined) return "";
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join("");
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join("");
  }
  return xmlEscape(String(value));
}

/** `Tags.member.1.Key=a&Tags.member.1.Value=b` → [{Key:"a",Value:"b"}]. */
export function queryList(params: URLSearchParams, name: string): Record<string, string>[] {
  const items = new Map<number, Record<string, string>>();
  const prefix = `${name}.member.`;
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf(".");
    const index = Number(dot === -1 ? rest : rest.slice(0, dot));
    const item = items.get(index) ?? {};
    item[dot === -1 ? "" : rest.slice(dot + 1)] = value;
    items.set(index, item);
  }
  return [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export abstract class QueryProtocolService extends FakeAwsService {
  constructor(
    service: string,
    signingName: string,
    signingRegion: string | undefined,
    private readonly apiVersion: string,
    private readonly xmlns: string,
  ) {
    super(service, signingName, signingRegion);
  }

  protected abstract action(name: string, params: URLSearchParams): Record<string, XmlValue> | undefined;

  protected handle(request: WireRequest): WireResponse {
    if (request.method !== "POST" || !String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      throw invalid("InvalidRequest", "query protocol requests are form-encoded POSTs");
    }
    const params = new URLSearchParams(request.body.toString("utf8"));
    const name = params.get("Action") ?? "";
    const input: Record<string, string> = {};
    for (const [k, v] of params) if (k !== "Action" && k !== "Version") input[k] = v;
    this.current = { operation: name, input };
    if (params.get("Version") !== this.apiVersion) throw invalid("InvalidParameterValue", `Version must be ${this.apiVersion}`);
    const result = this.action(name, params);
    const body =
      `<${name}Response xmlns="${this.xmlns}">` +
      (result === undefined ? "" : `<${name}Result>${toXml(result)}</${name}Result>`) +
      `<ResponseMetadata><RequestId>fake-${this.calls.length}</RequestId></ResponseMetadata></${name}Response>`;
    return { status: 200, headers: { "content-type": "text/xml" }, body };
  }

  protected errorResponse(error: FakeAwsError): WireResponse {
    const body =
      `<ErrorResponse xmlns="${this.xmlns}"><Error><Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type>` +
      `<Code>${xmlEscape(error.type)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
      `<RequestId>fake-${this.calls.length}</RequestId></ErrorResponse>`;
    return { status: error.status, headers: { "content-type": "text/xml" }, body };
  }

  /** A required string parameter. */
  protected required(params: URLSearchParams, name: string): string {
    const value = params.get(name);
    if (value === null || value === "")
      throw invalid(
        "ValidationError",
        `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      );
    return value;
  }
}

// ---- JSON 1.1 (ECR, CodeBuild, CloudWatch Logs): POST / with X-Amz-Target ----

/** An operation's output that is an event stream (StartLiveTail): `write` streams the messages and ends the response. */
export class EventStreamOutput {
  constructor(readonly write: (res: http.ServerResponse) => void) {}
}

export abstract class Json11Service extends FakeAwsService {
  constructor(
    service: string,
    signingName: string,
    signingRegion: string | undefined,
    private readonly targetPrefix: string,
  ) {
    super(service, signingName, signingRegion);
  }

  protected abstract operation(name: string, input: Record<string, unknown>): unknown;

  protected handle(request: WireRequest): WireResponse {
    const target = String(request.headers["x-amz-target"] ?? "");
    const name = target.startsWith(`${this.targetPrefix}.`) ? target.slice(this.targetPrefix.length + 1) : target;
    this.current = { operation: name, input: undefined };
    if (request.method !== "POST" || request.path !== "/") throw invalid("UnknownOperationException", "JSON 1.1 requests are POST /");
    if (String(request.headers["content-type"] ?? "") !== "application/x-amz-json-1.1") {
      throw invalid("SerializationException", `unexpected content type ${String(request.headers["content-type"])}`);
    }
    if (!target.startsWith(`${this.targetPrefix}.`)) throw invalid("UnknownOperationException", `unknown target ${target}`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(request.body.toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      throw invalid("SerializationException", "body is not JSON");
    }
    this.current = { operation: name, input };
    const output = this.operation(name, input);
    if (output instanceof EventStreamOutput) {
      return { status: 200, headers: { "content-type": "application/vnd.amazon.eventstream" }, stream: output.write };
    }
    return { status: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify(output ?? {}) };
  }

  protected errorResponse(error: FakeAwsError): WireResponse {
    return {
      status: error.status,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ __type: error.type, message: error.message, ...error.extra }),
    };
  }
}

/** Epoch seconds, as JSON 1.1 services send timestamps. */
export function epochSeconds(date = new Date()): number {
  return Math.round(date.getTime()) / 1000;
}
