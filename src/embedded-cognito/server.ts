/**
 * The embedded Cognito: cognito-local (npm) in a child process, wrapped so it behaves like the real
 * service for our purposes. Started by src/embedded-cognito/control.ts; never imported.
 *
 *   node server.js --data-dir DIR --port N [--host 127.0.0.1] [--mode on-demand|persistent] [--pid-file FILE]
 *
 * Prints exactly one JSON line on stdout: {"ready":true,"endpoint":...,"port":...,"pid":...} or
 * {"ready":false,"code":...,"message":...}; nothing after it (the parent may have closed the pipe).
 *
 * What the wrapper fixes (cognito-local 5.3.0's behaviour, https://github.com/jagregory/cognito-local#readme):
 * - cognito-local's discovery document is hard-coded to localhost:9229: we serve our own, whose
 *   issuer equals the tokens' iss (TokenConfig.IssuerDomain = this server's base URL).
 * - plain usernames: UserPoolDefaults.UsernameAttributes = [] in .cognito/config.json.
 * - cognito-local resolves ".cognito" against the cwd on every write: the parent runs us with
 *   cwd = the data directory, and we check that here.
 *
 * Lifetime: in "on-demand" mode the server lives while at least one command holds it open
 * (a long-lived GET /__agentcore-ts/hold). When the last holder goes (or dies: its socket closes),
 * the server exits, so nothing is left running after the commands that needed it. In "persistent"
 * mode (`cognito local start`) it runs until SIGTERM/SIGINT.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { restrictTree } from "../util/fs.js";
import { domainOf, handleM2m, type M2mContext } from "./m2m.js";
import { type Application, vendoredCognitoLocal } from "./vendored.js";

/** Same literal as EMBEDDED_COGNITO_SERVICE in embedded-cognito.ts (importing it would load more than this script needs). */
const SERVICE_NAME = "agentcore-ts-embedded-cognito";
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
/** An on-demand server nobody holds within this time exits (its starter died before holding it). */
const FIRST_HOLD_TIMEOUT_MS = 15_000;
/** After the last holder leaves: short, so a command's exit is not kept waiting. */
const LAST_HOLD_GRACE_MS = 50;

const { values: args } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    mode: { type: "string", default: "on-demand" },
    "pid-file": { type: "string" },
  },
});

const dataDir = path.resolve(args["data-dir"] ?? process.cwd());
const host = args.host!;
const persistent = args.mode === "persistent";
const pidFile = args["pid-file"];
const logFile = path.join(dataDir, "server.log");
const startedAt = new Date().toISOString();

// Its data (users with their test passwords in plain text, refresh tokens) is private: whatever
// cognito-local writes is created 0600/0700, and what an older version left with wider modes is fixed.
process.umask(0o077);
try {
  restrictTree(dataDir);
} catch {
  // not there yet (created below), or not ours to change: cognito-local's own errors say more
}

// Never let a closed parent pipe kill the server.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});
// aws-sdk v2 (a cognito-local dependency) prints an end-of-support NOTE on load.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";

function log(message: string): void {
  try {
    appendFileSync(logFile, `${new Date().toISOString()} [${process.pid}] ${message}\n`, { mode: 0o600 });
  } catch {
    // logging must never take the server down
  }
}

function announce(document: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(document)}\n`);
}

function fail(code: string, message: string): never {
  log(`failed to start: ${code}: ${message}`);
  announce({ ready: false, code, message });
  process.exit(1);
}

if (path.resolve(process.cwd()) !== dataDir) {
  // cognito-local writes ".cognito/..." relative to the cwd: anything else would scatter state.
  fail("BadCwd", `the server must run with its data directory as cwd (cwd ${process.cwd()}, data dir ${dataDir})`);
}

let application: Application | undefined;
let base = "";
let holds = 0;
let everHeld = false;
let exitTimer: NodeJS.Timeout | undefined;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function poolExists(poolId: string): boolean {
  return POOL_ID.test(poolId) && existsSync(path.join(dataDir, ".cognito", "db", `${poolId}.json`));
}

/** Resource servers, domains and the client_credentials grant cognito-local lacks (m2m.ts). */
const m2m: M2mContext = { dataDir, base: () => base, poolExists };

function scheduleExitIfUnheld(): void {
  if (persistent || holds > 0) return;
  clearTimeout(exitTimer);
  exitTimer = setTimeout(() => shutdown("no command holds the server any more"), everHeld ? LAST_HOLD_GRACE_MS : FIRST_HOLD_TIMEOUT_MS);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  const wellKnown = req.method === "GET" ? /^\/([^/]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(url.pathname) : null;
  if (wellKnown) {
    const poolId = decodeURIComponent(wellKnown[1]);
    if (!poolExists(poolId)) {
      // Like the real service: no metadata for a pool that does not exist.
      json(res, 404, { code: "ResourceNotFoundException", message: `User pool ${poolId} does not exist.` });
      return;
    }
    if (wellKnown[2] === "openid-configuration") {
      const issuer = `${base}/${poolId}`;
      // Like the real service: the OAuth endpoints are listed only once the pool has a domain.
      const endpoints = domainOf(m2m, poolId)
        ? { authorization_endpoint: `${base}/oauth2/authorize`, token_endpoint: `${base}/oauth2/token` }
        : {};
      json(res, 200, {
        ...endpoints,
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        // cognito-local serves its OAuth endpoints at the server root (lib/oauth2/routes.js). Standard OAuth
        // clients (the MCP SDK's metadata discovery) require both members, as a real pool with a domain has them.
        authorization_endpoint: `${base}/oauth2/authorize`,
        token_endpoint: `${base}/oauth2/token`,
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "token"],
        subject_types_supported: ["public"],
        scopes_supported: ["openid", "email", "phone", "profile"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      });
      return;
    }
  }
  if (url.pathname === "/__agentcore-ts/info" && req.method === "GET") {
    json(res, 200, {
      service: SERVICE_NAME,
      version: 1,
      pid: process.pid,
      endpoint: base,
      dataDir,
      mode: persistent ? "persistent" : "on-demand",
      holds,
      startedAt,
    });
    return;
  }
  if (url.pathname === "/__agentcore-ts/hold" && req.method === "GET") {
    holds += 1;
    everHeld = true;
    clearTimeout(exitTimer);
    res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" });
    res.flushHeaders();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      holds -= 1;
      scheduleExitIfUnheld();
    };
    req.on("close", release);
    res.on("close", release);
    return;
  }
  if (!application) {
    json(res, 503, { __type: "ServiceUnavailable", message: "The embedded Cognito is still starting." });
    return;
  }
  const app = application;
  handleM2m(m2m, req, res, (replayed) => (replayed ? replay(replayed, res) : app(req, res))).catch((error: Error) => {
    log(`m2m: ${error.message}`);
    if (!res.headersSent) json(res, 500, { __type: "InternalErrorException", message: "The embedded Cognito failed." });
  });
});
// Hold connections are long-lived by design; no request or header timeouts may cut them.
server.requestTimeout = 0;
server.headersTimeout = 60_000;

/**
 * A request whose body m2m.ts read (to check a client secret) goes to cognito-local through a
 * second, internal loopback server: express must read the body from a real request.
 */
let inner: Promise<number> | undefined;
function replay(replayed: { path: string; body: Buffer; headers: http.IncomingHttpHeaders }, res: http.ServerResponse): void {
  inner ??= new Promise((resolve) => {
    const internal = http.createServer((q, s) => application!(q, s));
    internal.listen(0, "127.0.0.1", () => resolve((internal.address() as AddressInfo).port));
  });
  void inner.then((innerPort) => {
    const headers = { ...replayed.headers, host: `127.0.0.1:${innerPort}`, "content-length": String(replayed.body.length) };
    const forwarded = http.request({ host: "127.0.0.1", port: innerPort, method: "POST", path: replayed.path, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on("error", () => {
      if (!res.headersSent) json(res, 502, { error: "server_error", error_description: "The embedded Cognito failed." });
    });
    forwarded.end(replayed.body);
  });
}

let shuttingDown = false;
function shutdown(reason: string): void {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`stopping: ${reason}`);
  if (pidFile) {
    try {
      const recorded = JSON.parse(readFileSync(pidFile, "utf8")) as { pid?: number };
      if (recorded.pid === process.pid) rmSync(pidFile, { force: true });
    } catch {
      // no pid file, or not ours
    }
  }
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("uncaughtException", (error) => {
  log(`uncaught: ${error.stack ?? String(error)}`);
});

await new Promise<void>((resolve) => {
  server.once("error", (error: NodeJS.ErrnoException) => {
    fail(error.code ?? "ListenError", error.message);
  });
  server.listen(Number(args.port), host, () => resolve());
});
const port = (server.address() as AddressInfo).port;
base = `http://${host}:${port}`;

try {
  mkdirSync(path.join(dataDir, ".cognito", "db"), { recursive: true, mode: 0o700 });
  const configFile = path.join(dataDir, ".cognito", "config.json");
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
  } catch {
    // first start, or a broken file we replace with ours
  }
  const userPoolDefaults = { ...(config.UserPoolDefaults as object | undefined), UsernameAttributes: [] };
  const tokenConfig = { ...(config.TokenConfig as object | undefined), IssuerDomain: base };
  writeFileSync(configFile, JSON.stringify({ ...config, UserPoolDefaults: userPoolDefaults, TokenConfig: tokenConfig }, null, 2), {
    mode: 0o600,
  });

  const { createDefaultServer, pino } = vendoredCognitoLocal();
  // Always silent: cognito-local's debug logs include refresh tokens.
  application = (await createDefaultServer(pino({ level: "silent" }))).application;
} catch (error) {
  server.close();
  fail("InitError", (error as Error).message);
}

if (pidFile) {
  writeFileSync(pidFile, JSON.stringify({ pid: process.pid, endpoint: base, port, dataDir, startedAt }), { mode: 0o600 });
}
log(`listening on ${base} (${persistent ? "persistent" : "on-demand"})`);
announce({ ready: true, endpoint: base, port, pid: process.pid, dataDir });
scheduleExitIfUnheld();
