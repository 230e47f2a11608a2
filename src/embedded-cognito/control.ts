/**
 * The embedded local Cognito: cognito-local behind our wrapper (src/embedded-cognito/server.ts), run as
 * a child process on a stable loopback port with its state under AGENTCORE_TS_HOME/cognito-local,
 * so pools, users and refresh tokens survive restarts and the issuer (which contains the port) stays
 * the same across runs.
 *
 * Commands that need it call `ensureEmbeddedCognito(env)`: it reuses a running server on the port
 * (one from `cognito local start`, another command, or a test) or starts one, and holds it open
 * with a long-lived request until `stop()`. A server started on demand exits by itself when its
 * last holder is gone, even if that holder was killed, so nothing is left running.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, promises as fsp, statSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defaultHomeDir, ensureHomeDir, homeDir } from "../config/home.js";
import { isLoopbackHost } from "../config/patterns.js";
import { AgentcoreError, UsageError } from "../errors.js";
import { packageRoot } from "../util/paths.js";

export const EMBEDDED_COGNITO_SERVICE = "agentcore-ts-embedded-cognito";
/** The default home's port. Not 9229: that is Node's --inspect port (and cognito-local's own default). */
export const DEFAULT_EMBEDDED_COGNITO_PORT = 19229;
/**
 * Any other AGENTCORE_TS_HOME gets a port of its own in [19230, 29230), derived from its path, so two
 * users (or two test runs) on one machine do not collide and a home keeps its port (local issuers
 * contain it). The range stays below Linux's ephemeral ports (32768-60999 by default,
 * https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html ip_local_port_range), which
 * outgoing connections take.
 */
const DERIVED_PORT_BASE = 19230;
const DERIVED_PORT_SPAN = 10_000;
export const EMBEDDED_COGNITO_HOST = "127.0.0.1";
export const EMBEDDED_COGNITO_PORT_ENV = "AGENTCORE_TS_COGNITO_PORT";
const START_TIMEOUT_MS = 20_000;

export interface EmbeddedCognito {
  /** http://127.0.0.1:<port>: the Cognito endpoint for the SDK and the issuer base of its pools. */
  endpoint: string;
  /** True when this call started the server (false: it was already running and is reused). */
  startedHere: boolean;
  /** Releases this call's hold; a server this call started then exits (unless another command still holds it). */
  stop(): Promise<void>;
}

export interface EmbeddedCognitoInfo {
  service: string;
  pid: number;
  endpoint: string;
  dataDir: string;
  mode: "on-demand" | "persistent";
  holds: number;
  startedAt: string;
}

export type EmbeddedCognitoProbe =
  | { state: "stopped" }
  | { state: "running"; info: EmbeddedCognitoInfo }
  | { state: "foreign"; detail: string };

/** The port of a home without AGENTCORE_TS_COGNITO_PORT: 19229 for ~/.agentcore-ts, else derived from the home's path. */
export function homeCognitoPort(home: string): number {
  if (path.resolve(home) === defaultHomeDir()) return DEFAULT_EMBEDDED_COGNITO_PORT;
  const digest = createHash("sha256").update(path.resolve(home)).digest();
  return DERIVED_PORT_BASE + (digest.readUInt32BE(0) % DERIVED_PORT_SPAN);
}

/** The port: AGENTCORE_TS_COGNITO_PORT, or the home's own (homeCognitoPort). */
export function embeddedCognitoPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[EMBEDDED_COGNITO_PORT_ENV];
  if (raw === undefined || raw.trim() === "") return homeCognitoPort(homeDir(env));
  const port = Number(raw.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${EMBEDDED_COGNITO_PORT_ENV}="${raw}" is not a TCP port.`, {
      hint: `Set ${EMBEDDED_COGNITO_PORT_ENV} to a number from 1 to 65535, or unset it to use this home's port (${homeCognitoPort(homeDir(env))}).`,
      code: "BadPort",
    });
  }
  return port;
}

export function embeddedCognitoEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return `http://${EMBEDDED_COGNITO_HOST}:${embeddedCognitoPort(env)}`;
}

/** Where the emulator keeps its state (cognito-local's .cognito/ directory lives inside). */
export function embeddedCognitoDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(homeDir(env), "cognito-local");
}

export function embeddedCognitoPidFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(embeddedCognitoDataDir(env), "server.pid.json");
}

/** True when `url` (an endpoint, issuer or discovery URL) points at the embedded Cognito of this environment. */
export function isEmbeddedCognitoUrl(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const port = parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
  return parsed.protocol === "http:" && isLoopbackHost(parsed.hostname) && port === embeddedCognitoPort(env);
}

interface HttpAnswer {
  status: number;
  body: string;
}

function httpGet(url: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 65_536) body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
  });
}

/** What answers on `endpoint`: nothing, our embedded Cognito, or some other program. */
export async function probeEmbeddedCognito(endpoint: string, timeoutMs = 2000): Promise<EmbeddedCognitoProbe> {
  let answer: HttpAnswer;
  try {
    answer = await httpGet(`${endpoint}/__agentcore-ts/info`, timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED" || code === "ECONNRESET") return { state: "stopped" };
    return { state: "foreign", detail: `it did not answer like the embedded Cognito (${code ?? (error as Error).message})` };
  }
  if (answer.status === 200) {
    try {
      const info = JSON.parse(answer.body) as EmbeddedCognitoInfo;
      if (info.service === EMBEDDED_COGNITO_SERVICE) return { state: "running", info };
    } catch {
      // not ours
    }
  }
  let stockCognitoLocal = false;
  try {
    stockCognitoLocal = (await httpGet(`${endpoint}/health`, timeoutMs)).body.includes('"ok":true');
  } catch {
    // nothing more to learn
  }
  return {
    state: "foreign",
    detail: stockCognitoLocal
      ? "a plain cognito-local runs there (its discovery document does not match its tokens' issuer)"
      : `another program answers there (HTTP ${answer.status})`,
  };
}

/** Opens a hold on the server: it keeps an on-demand server alive until the returned release() (or this process's exit). */
export function holdEmbeddedCognito(endpoint: string, timeoutMs = 3000): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${endpoint}/__agentcore-ts/hold`, { agent: false }, (res) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        res.resume();
        reject(Object.assign(new Error(`hold refused (HTTP ${res.statusCode})`), { code: "EHOLD" }));
        return;
      }
      res.on("error", () => {});
      // The socket must not keep the process alive: commands end when their work ends.
      res.socket.unref();
      resolve(() => {
        res.destroy();
        req.destroy();
      });
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })), timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function serverCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const compiled = path.join(path.dirname(here), "server.js");
  if (existsSync(compiled)) return [compiled];
  // Running from source (vitest): the built script when it is up to date (tsx would add about 1 s
  // to every start), else the TypeScript source through tsx.
  const source = path.join(path.dirname(here), "server.ts");
  const built = packageRoot("dist", "embedded-cognito", "server.js");
  if (existsSync(built) && statSync(built).mtimeMs >= statSync(source).mtimeMs) return [built];
  const tsx = createRequire(import.meta.url).resolve("tsx");
  return ["--import", pathToFileURL(tsx).href, source];
}

export interface SpawnCognitoServerOptions {
  dataDir: string;
  /** 0 = an ephemeral port. */
  port: number;
  host?: string;
  mode: "on-demand" | "persistent";
  pidFile?: string;
  /** Own process group: Ctrl-C in the terminal does not reach it (on-demand servers end with their holders). */
  detached?: boolean;
  /** Keep stdout/stderr of the server attached to ours (foreground `cognito local start`). */
  inheritOutput?: boolean;
}

export interface SpawnedCognitoServer {
  endpoint: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code when the server process ends. */
  exited: Promise<number | null>;
  /** Lets this process exit without waiting for the server. */
  detach(): void;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it is gone. */
  kill(): Promise<void>;
}

interface ReadyLine {
  ready: boolean;
  endpoint?: string;
  port?: number;
  pid?: number;
  code?: string;
  message?: string;
}

/** Starts the wrapper script as a child process and waits for its ready line. Low level: most callers want ensureEmbeddedCognito. */
export async function spawnCognitoServer(options: SpawnCognitoServerOptions): Promise<SpawnedCognitoServer> {
  await fsp.mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const args = [
    ...serverCommand(),
    "--data-dir",
    options.dataDir,
    "--host",
    options.host ?? EMBEDDED_COGNITO_HOST,
    "--port",
    String(options.port),
    "--mode",
    options.mode,
    ...(options.pidFile ? ["--pid-file", options.pidFile] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.dataDir,
    detached: options.detached ?? false,
    stdio: ["ignore", "pipe", options.inheritOutput ? "inherit" : "pipe"],
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1", NODE_OPTIONS: "" },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    if (stderr.length < 4000) stderr += chunk;
  });
  const ready = await new Promise<ReadyLine>((resolve) => {
    let stdout = "";
    const timer = setTimeout(
      () => resolve({ ready: false, code: "StartTimeout", message: `no ready signal within ${START_TIMEOUT_MS / 1000}s` }),
      START_TIMEOUT_MS,
    );
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, newline)) as ReadyLine);
      } catch {
        resolve({ ready: false, code: "BadReadyLine", message: stdout.slice(0, 200) });
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ready: false, code: "SpawnError", message: error.message });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({
        ready: false,
        code: "Exited",
        message: `the server exited with code ${code}${stderr ? `: ${stderr.trim().split("\n").slice(-3).join(" ")}` : ""}`,
      });
    });
  });
  if (!ready.ready || !ready.endpoint || !ready.port || !ready.pid) {
    if (child.exitCode === null) child.kill("SIGKILL");
    throw Object.assign(
      new AgentcoreError(`The embedded Cognito did not start: ${ready.code}: ${ready.message}.`, {
        code: "EmbeddedCognitoStartFailed",
        hint:
          ready.code === "EADDRINUSE"
            ? `Port ${options.port} is taken: stop what uses it, or set ${EMBEDDED_COGNITO_PORT_ENV} to another port.`
            : `See ${path.join(options.dataDir, "server.log")}.`,
      }),
      { startCode: ready.code },
    );
  }
  const endpoint = ready.endpoint;
  const pid = ready.pid;
  const detach = () => {
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  return { endpoint, port: ready.port, pid, child, exited, detach, kill };
}

function describeForeign(endpoint: string, detail: string): AgentcoreError {
  return new AgentcoreError(`Cannot use the embedded Cognito on ${endpoint}: ${detail}.`, {
    code: "EmbeddedCognitoPortTaken",
    hint: `Stop that program, or set ${EMBEDDED_COGNITO_PORT_ENV} to a free port (the issuer of local pools contains the port, so keep it stable).`,
  });
}

/**
 * Makes sure the embedded Cognito of this environment (AGENTCORE_TS_HOME, AGENTCORE_TS_COGNITO_PORT)
 * runs, and holds it until stop(). Reuses a running one; never stops what it did not start.
 */
export async function ensureEmbeddedCognito(env: NodeJS.ProcessEnv = process.env): Promise<EmbeddedCognito> {
  const endpoint = embeddedCognitoEndpoint(env);
  const port = embeddedCognitoPort(env);
  const dataDir = embeddedCognitoDataDir(env);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const probe = await probeEmbeddedCognito(endpoint);
    if (probe.state === "foreign") throw describeForeign(endpoint, probe.detail);
    if (probe.state === "running") {
      if (path.resolve(probe.info.dataDir) !== path.resolve(dataDir)) {
        throw describeForeign(endpoint, `it is the embedded Cognito of another AGENTCORE_TS_HOME (data in ${probe.info.dataDir})`);
      }
      try {
        const release = await holdEmbeddedCognito(endpoint);
        return { endpoint, startedHere: false, stop: async () => release() };
      } catch (error) {
        // It was shutting down (its last holder just left): start a fresh one.
        lastError = error;
        await sleep(150);
        continue;
      }
    }
    await ensureHomeDir(env, "cognito-local");
    let server: SpawnedCognitoServer;
    try {
      server = await spawnCognitoServer({ dataDir, port, mode: "on-demand", detached: true });
    } catch (error) {
      // Another command started it at the same moment: use theirs.
      if ((error as { startCode?: string }).startCode === "EADDRINUSE") {
        lastError = error;
        await sleep(200 + attempt * 200);
        continue;
      }
      throw error;
    }
    const release = await holdEmbeddedCognito(server.endpoint);
    server.detach();
    return {
      endpoint: server.endpoint,
      startedHere: true,
      stop: async () => {
        release();
        // It exits once no command holds it. Wait for that (so "nothing left running" holds when
        // we return), unless another command still holds it.
        if ((await Promise.race([server.exited.then(() => true), sleep(150).then(() => false)])) === true) return;
        const probe = await probeEmbeddedCognito(server.endpoint, 500);
        if (probe.state === "running" && probe.info.holds > 0) return;
        await Promise.race([server.exited, sleep(2000)]);
      },
    };
  }
  throw lastError instanceof AgentcoreError
    ? lastError
    : new AgentcoreError(`Could not start or reach the embedded Cognito on ${endpoint}.`, {
        code: "EmbeddedCognitoUnavailable",
        hint: `Run \`agentcore-ts cognito local status\`, or set ${EMBEDDED_COGNITO_PORT_ENV} to another port.`,
        cause: lastError,
      });
}
