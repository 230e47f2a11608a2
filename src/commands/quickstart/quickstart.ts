/**
 * `quickstart --local`: the whole Inbound Auth workshop on this machine, with no AWS account. It
 * creates (or reuses) a project directory holding a copy of the TypeScript example agent, then runs
 * the real operations in-process, one numbered step each: embedded Cognito -> cognito setup --local ->
 * configure -> launch --local -> a call without a token (401) -> invoke --bearer -> token refresh ->
 * invoke --bearer again -> stop. Each step says what it did and the equivalent command; a step that
 * does not give its expected result stops the run, and everything started is stopped (also on Ctrl-C).
 *
 * The quickstart owns its test user: every run sets a fresh random password, kept in memory only, so a
 * rerun never depends on a cached refresh token that may have expired, and `token refresh` inside the
 * run can fall back to a password login. The agent runs as a plain process with AGENT_OFFLINE=1 and
 * without the user's AWS credentials in its environment: nothing is sent to AWS.
 */

import { promises as fsp } from "node:fs";
import net from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { generatePassword, PASSWORD_ENV } from "../../auth/cognito.js";
import { tokenCachePath } from "../../auth/token-cache.js";
import { CONFIG_FILE_NAME } from "../../config/schema.js";
import { updateConfig } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { listenForStop } from "../../core/signals.js";
import type { EmbeddedCognito } from "../../embedded-cognito/control.js";
import { AgentcoreError, type ErrorCode, toAgentcoreError, UsageError } from "../../errors.js";
import type { LocalRuntime } from "../../local/runtime.js";
import { describeExpiry, formatDuration } from "../../ui/format.js";
import type { Output } from "../../ui/output.js";
import { NonInteractivePrompter } from "../../ui/prompts.js";
import { exists } from "../../util/fs.js";
import { packageRoot } from "../../util/paths.js";

export const DEFAULT_QUICKSTART_DIR = "agentcore-quickstart";
export const QUICKSTART_AGENT = "quickstart_agent";
export const QUICKSTART_USER = "testuser";
export const QUICKSTART_PROMPT = "How is the weather now?";
/** The top-level key in .agentcore.json that marks a directory as a quickstart project. */
export const QUICKSTART_MARKER = "quickstart";
const PAYLOAD = JSON.stringify({ prompt: QUICKSTART_PROMPT });
const ENTRYPOINT = "src/agent.ts";
/** What the example agent's copy needs from agentcore-ts's own install (examples/typescript/README.md). */
export const LINKED_PACKAGES = ["bedrock-agentcore", "zod", "jose", "tsx", "@aws-sdk/client-bedrock-runtime"] as const;
const EXAMPLE_FILES = ["package.json", "tsconfig.json", "src"] as const;
const GITIGNORE = "node_modules/\ndist/\n.env\n";
/** Never handed to the agent: it runs offline, and the user's real credentials stay out of its reach. */
const WITHHELD_FROM_AGENT = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  "COGNITO_ACCESS_TOKEN",
  PASSWORD_ENV,
];
const STEP_COUNT = 9;

export interface QuickstartInputs {
  /** Only the local quickstart exists; false/undefined is a usage error naming the AWS commands. */
  local?: boolean;
  /** Project directory (default ./agentcore-quickstart), relative to cwd. */
  dir?: string;
  /** Use a non-empty directory that is not a quickstart project, and restore edited example files. */
  force?: boolean;
  /** Gateway / agent ports on 127.0.0.1 (default: 8081 / 8080 when free, else free ones; 0: any free port). */
  port?: string;
  agentPort?: string;
}

/** Colours for the step headers and command lines (a chalk instance fits); default: none. */
export interface QuickstartStyle {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

export interface QuickstartDeps {
  /** Aborts the run (default: SIGINT, SIGTERM or SIGHUP): everything started is stopped, and it fails with exit code 130. */
  signal?: AbortSignal;
  style?: QuickstartStyle;
}

export type QuickstartContext = Pick<CommandContext, "cwd" | "env" | "globals" | "output" | "aws" | "region" | "dotenv">;

export interface QuickstartStep {
  /** Stable id: embedded-cognito, cognito-setup, configure, launch-local, invoke-without-token, invoke-bearer, token-refresh, invoke-bearer-again, stop. */
  name: string;
  title: string;
  ok: boolean;
  ms: number;
  /** The command a user types to do the same. */
  command: string;
  /** Key facts (ids, URLs, statuses; never a token or password). */
  facts: Record<string, unknown>;
  warnings?: string[];
  /** Only for a failed step. */
  expected?: string;
  error?: string;
}

export interface QuickstartResult {
  ok: true;
  project: { dir: string; status: ProjectStatus; files: Record<string, number> };
  agent: string;
  totalMs: number;
  steps: QuickstartStep[];
  next: { local: string[]; aws: string[] };
}

export type ProjectStatus = "created" | "reused" | "adopted";

const plain: QuickstartStyle = { bold: (t) => t, dim: (t) => t, green: (t) => t, red: (t) => t, yellow: (t) => t };

// ------------------------------------------------------------------------------------------------
// The project directory
// ------------------------------------------------------------------------------------------------

async function isQuickstartProject(dir: string): Promise<boolean> {
  try {
    const raw = JSON.parse(await fsp.readFile(path.join(dir, CONFIG_FILE_NAME), "utf8")) as Record<string, unknown>;
    return typeof raw[QUICKSTART_MARKER] === "object" && raw[QUICKSTART_MARKER] !== null;
  } catch {
    return false;
  }
}

/**
 * Creates the directory or checks that it may be used, then writes the marker into its
 * .agentcore.json first of all, so a run that fails later still leaves a directory a rerun accepts.
 */
export async function prepareProjectDir(dir: string, force: boolean): Promise<ProjectStatus> {
  let entries: string[] | undefined;
  try {
    const stat = await fsp.stat(dir);
    if (!stat.isDirectory()) {
      throw new UsageError(`${dir} exists and is not a directory.`, {
        hint: "Pass --dir with a new or empty directory.",
        code: "NotADirectory",
      });
    }
    entries = await fsp.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw toAgentcoreError(error);
  }
  let status: ProjectStatus;
  if (entries === undefined || entries.length === 0) {
    status = "created";
  } else if (await isQuickstartProject(dir)) {
    status = "reused";
  } else if (force) {
    status = "adopted";
  } else {
    throw new UsageError(
      `${dir} is not empty and is not a quickstart project (no "${QUICKSTART_MARKER}" entry in its ${CONFIG_FILE_NAME}).`,
      {
        hint: "Pass --dir with a new or empty directory, or --force to add the quickstart's agent and Cognito setup to this one.",
        code: "DirectoryNotEmpty",
      },
    );
  }
  await fsp.mkdir(dir, { recursive: true });
  await updateConfig(path.join(dir, CONFIG_FILE_NAME), (config) => {
    const record = config as Record<string, unknown>;
    record[QUICKSTART_MARKER] = { createdBy: "agentcore-ts quickstart --local", agent: QUICKSTART_AGENT };
  });
  return status;
}

function exampleDir(): string {
  return packageRoot("examples", "typescript") + path.sep;
}

async function listFiles(root: string, relative: string): Promise<string[]> {
  const stat = await fsp.stat(path.join(root, relative));
  if (stat.isFile()) return [relative];
  const files: string[] = [];
  for (const entry of (await fsp.readdir(path.join(root, relative))).sort())
    files.push(...(await listFiles(root, path.join(relative, entry))));
  return files;
}

export interface CopyReport {
  created: string[];
  unchanged: string[];
  /** Edited by the user: kept unless --force. */
  kept: string[];
  restored: string[];
}

/** Copies the example agent's package.json, tsconfig.json and src/ (and a .gitignore); never overwrites an edited file without --force. */
export async function copyExampleAgent(projectDir: string, force: boolean, source = exampleDir()): Promise<CopyReport> {
  const report: CopyReport = { created: [], unchanged: [], kept: [], restored: [] };
  const files: string[] = [];
  for (const top of EXAMPLE_FILES) files.push(...(await listFiles(source, top)));
  for (const relative of files) {
    const wanted = await fsp.readFile(path.join(source, relative));
    const target = path.join(projectDir, relative);
    const current = await fsp.readFile(target).catch(() => undefined);
    if (current?.equals(wanted)) {
      report.unchanged.push(relative);
      continue;
    }
    if (current !== undefined && !force) {
      report.kept.push(relative);
      continue;
    }
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(target, wanted);
    (current === undefined ? report.created : report.restored).push(relative);
  }
  const gitignore = path.join(projectDir, ".gitignore");
  if (!(await exists(gitignore))) {
    await fsp.writeFile(gitignore, GITIGNORE);
    report.created.push(".gitignore");
  }
  return report;
}

/** The installed package directory of `name` as Node resolves it from agentcore-ts's own files (not from the cwd). */
export async function ownPackageDir(name: string): Promise<string> {
  let dir = packageRoot();
  for (;;) {
    const candidate = path.join(dir, "node_modules", name);
    if (await exists(path.join(candidate, "package.json"))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new AgentcoreError(`agentcore-ts's installation has no ${name} package, which the example agent needs.`, {
        code: "DependencyMissing",
        hint: "Reinstall agentcore-ts (npm install -g agentcore-ts).",
      });
    }
    dir = parent;
  }
}

/**
 * node_modules/<pkg> symlinks to agentcore-ts's own copies, so the example runs without `npm install`
 * (Node resolves each package's own dependencies from its real path). A real directory (the user ran
 * npm install) is left alone; a symlink pointing elsewhere (agentcore-ts moved) is replaced.
 */
export async function linkExampleDependencies(projectDir: string): Promise<{ linked: string[]; installed: string[] }> {
  const linked: string[] = [];
  const installed: string[] = [];
  for (const name of LINKED_PACKAGES) {
    const target = await ownPackageDir(name);
    const link = path.join(projectDir, "node_modules", name);
    await fsp.mkdir(path.dirname(link), { recursive: true });
    const stat = await fsp.lstat(link).catch(() => undefined);
    if (stat && !stat.isSymbolicLink()) {
      installed.push(name);
      continue;
    }
    if (stat && (await fsp.readlink(link)) === target) {
      linked.push(name);
      continue;
    }
    if (stat) await fsp.unlink(link);
    await fsp.symlink(target, link, "dir");
    linked.push(name);
  }
  return { linked, installed };
}

// ------------------------------------------------------------------------------------------------
// Output: what the operations say is kept for --verbose; each step prints its own summary
// ------------------------------------------------------------------------------------------------

/**
 * The Output handed to an operation inside a step. Its lines are meant for someone running that one
 * command ("Next: configure…"), so they go to --verbose only; its warnings become notes under the
 * step; its --json result is dropped (the quickstart prints one document); streamed agent output is
 * passed through, indented.
 */
class StepOutput implements Output {
  readonly warnings: string[] = [];
  private atLineStart = true;
  private closed = false;

  constructor(
    private readonly parent: Output,
    private readonly style: QuickstartStyle,
  ) {}

  get json(): boolean {
    return this.parent.json;
  }
  get verbose(): boolean {
    return this.parent.verbose;
  }
  info(message: string): void {
    if (message !== "" && !this.closed) this.parent.debug(`    ${message}`);
  }
  success(message: string): void {
    if (!this.closed) this.parent.debug(`    ✔ ${message}`);
  }
  warn(message: string): void {
    if (!this.closed) this.warnings.push(message);
  }
  debug(message: string): void {
    if (!this.closed) this.parent.debug(`    ${message}`);
  }
  write(chunk: string | Uint8Array): void {
    if (this.closed) return;
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const bar = this.style.dim("│");
    let out = "";
    for (const char of text) {
      if (this.atLineStart) out += char === "\n" ? `  ${bar}` : `  ${bar} `;
      out += char;
      this.atLineStart = char === "\n";
    }
    this.parent.write(out);
  }
  async task<T>(label: string, run: (update: (text: string) => void) => Promise<T>): Promise<T> {
    const value = await run((text) => this.debug(`${label}: ${text}`));
    this.debug(`✔ ${label}`);
    return value;
  }
  result(): void {
    // One document for the whole quickstart: the operations' own results are not printed.
  }
  /** Ends a streamed line and drops anything an abandoned operation still says. */
  close(): void {
    if (!this.atLineStart) this.parent.write("\n");
    this.atLineStart = true;
    this.closed = true;
  }
  /** A line of this step's summary. */
  done(message: string): void {
    this.parent.info(`  ${this.style.green("✔")} ${message}`);
  }
  say(message: string): void {
    this.parent.info(`  ${message}`);
  }
}

// ------------------------------------------------------------------------------------------------
// The run
// ------------------------------------------------------------------------------------------------

function interruptedError(step: string): AgentcoreError {
  return new AgentcoreError(`Interrupted during ${step}; everything the quickstart started was stopped.`, {
    code: "Interrupted",
    exitCode: 130,
    hint: "Run `agentcore-ts quickstart --local` again to start over: it reuses the project directory.",
  });
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** True when nothing accepts TCP connections on the URL's host and port any more. */
export function portRefuses(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

interface StopFacts {
  gatewayStopped?: boolean;
  agentStopped?: boolean;
  runtimeRecordRemoved?: boolean;
  embeddedCognito?:
    | "stopped"
    | "left running (it was running before the quickstart)"
    | "still used by another agentcore-ts command"
    | "still running";
}

export async function quickstart(inputs: QuickstartInputs, ctx: QuickstartContext, deps: QuickstartDeps = {}): Promise<QuickstartResult> {
  if (!inputs.local) {
    throw new UsageError("quickstart runs the whole workflow on this machine: pass --local.", {
      hint: 'For AWS, run the steps yourself: `agentcore-ts cognito setup`, `agentcore-ts configure --entrypoint <file>`, `agentcore-ts launch`, `agentcore-ts invoke --bearer \'{"prompt":"Hello"}\'`.',
      code: "LocalRequired",
    });
  }
  const { parsePort } = await import("../../local/ports.js");
  const port = parsePort(inputs.port, "--port");
  const agentPort = parsePort(inputs.agentPort, "--agent-port");
  const style = deps.style ?? plain;
  const out = ctx.output;
  const started = performance.now();
  const projectDir = path.resolve(ctx.cwd, inputs.dir ?? DEFAULT_QUICKSTART_DIR);
  const force = inputs.force === true;

  const projectStatus = await prepareProjectDir(projectDir, force);
  out.info(style.bold(`agentcore-ts quickstart: the Inbound Auth workflow on this machine (no AWS account, nothing sent to AWS)`));
  out.info(
    `Project: ${projectDir} (${projectStatus === "created" ? "new" : projectStatus === "reused" ? "from an earlier quickstart, reused" : "existing directory, --force"})`,
  );

  // The environment of the operations: the user's (AGENTCORE_TS_HOME stays theirs, so `token show`, `invoke --local`
  // and the rest keep working afterwards), with the quickstart user's password in memory and no stray token.
  const password = generatePassword();
  const opEnv: NodeJS.ProcessEnv = { ...ctx.env, [PASSWORD_ENV]: password };
  delete opEnv.COGNITO_ACCESS_TOKEN;
  // The agent's environment: offline, without the password or the user's AWS credentials.
  const agentEnv: NodeJS.ProcessEnv = { ...ctx.env, AGENT_OFFLINE: "1", AWS_EC2_METADATA_DISABLED: "true" };
  for (const key of WITHHELD_FROM_AGENT) delete agentEnv[key];

  const external = deps.signal;
  const fromProcess = external ? undefined : listenForStop();
  const signal = external ?? fromProcess!.signal;
  let current = "start-up";
  const interrupted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(interruptedError(current));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  interrupted.catch(() => undefined);

  const steps: QuickstartStep[] = [];
  let cognito: Promise<EmbeddedCognito> | undefined;
  let runtime: Promise<LocalRuntime> | undefined;
  let stopReported: StopFacts | undefined;
  const subContext = (output: Output) => ({
    cwd: projectDir,
    env: opEnv,
    globals: { ...ctx.globals, json: false, nonInteractive: true },
    output,
    prompter: new NonInteractivePrompter(),
    stdin: Object.assign(Readable.from([]), { isTTY: false }),
    aws: ctx.aws,
    region: ctx.region,
    dotenv: (dir?: string) => ctx.dotenv(dir ?? projectDir),
  });

  /** Stops the runtime and releases the embedded Cognito; says what is still running (nothing, normally). */
  const stopEverything = async (): Promise<StopFacts> => {
    const facts: StopFacts = {};
    const rt = runtime ? await runtime.catch(() => undefined) : undefined;
    runtime = undefined;
    if (rt) {
      const agentPid = rt.agentPid;
      await rt.stop();
      const { isProcessAlive, readLocalRuntime } = await import("../../local/runtime-state.js");
      facts.gatewayStopped = await portRefuses(rt.gatewayUrl);
      facts.agentStopped = !isProcessAlive(agentPid) && (await portRefuses(rt.agentUrl));
      facts.runtimeRecordRemoved = (await readLocalRuntime(ctx.env, rt.agentName)) === undefined;
    }
    const held = cognito ? await cognito.catch(() => undefined) : undefined;
    cognito = undefined;
    if (held) {
      await held.stop();
      if (!held.startedHere) {
        facts.embeddedCognito = "left running (it was running before the quickstart)";
      } else {
        const { probeEmbeddedCognito } = await import("../../embedded-cognito/control.js");
        facts.embeddedCognito = "still running";
        for (let i = 0; i < 50; i += 1) {
          const probe = await probeEmbeddedCognito(held.endpoint, 500);
          if (probe.state !== "running") {
            facts.embeddedCognito = "stopped";
            break;
          }
          if (probe.info.holds > 0 && i >= 10) {
            facts.embeddedCognito = "still used by another agentcore-ts command";
            break;
          }
          await sleep(100);
        }
      }
    }
    return facts;
  };

  type StepWork = (step: StepOutput) => Promise<Record<string, unknown>>;
  let index = 0;
  /** `short` names the step in errors ("Step 4/9 (launch --local) failed: …"); `expected` completes "expected …". */
  const step = async (
    name: string,
    short: string,
    title: string,
    command: string,
    expected: string,
    work: StepWork,
  ): Promise<Record<string, unknown>> => {
    index += 1;
    const label = `Step ${index}/${STEP_COUNT}`;
    current = `${label} (${short})`;
    out.info("");
    out.info(style.bold(`${label}: ${title}`));
    const stepOut = new StepOutput(out, style);
    const t0 = performance.now();
    const record: QuickstartStep = { name, title, ok: false, ms: 0, command, facts: {} };
    steps.push(record);
    try {
      if (signal.aborted) await interrupted;
      record.facts = await Promise.race([work(stepOut), interrupted]);
      record.ok = true;
    } catch (error) {
      stepOut.close();
      record.ms = Math.round(performance.now() - t0);
      const failure = toAgentcoreError(error);
      if (stepOut.warnings.length) record.warnings = stepOut.warnings;
      for (const warning of stepOut.warnings) out.warn(warning);
      if (failure.code === "Interrupted") {
        record.error = "interrupted";
        throw failure;
      }
      record.expected = expected;
      record.error = failure.message;
      out.info(`  ${style.red("✖")} ${failure.message}`);
      throw new AgentcoreError(`${current} failed: expected ${expected}, but: ${failure.message.replace(/\.$/, "")}.`, {
        // The wrapped error's code, ours or the service's: carried over unchanged.
        code: failure.code as ErrorCode,
        hint: ["Everything the quickstart started was stopped; run it again once fixed (it reuses the project directory).", failure.hint]
          .filter(Boolean)
          .join(" "),
        cause: error,
      });
    } finally {
      stepOut.close();
    }
    record.ms = Math.round(performance.now() - t0);
    if (stepOut.warnings.length) record.warnings = stepOut.warnings;
    for (const warning of stepOut.warnings) stepOut.say(`${style.yellow("note:")} ${warning}`);
    stepOut.say(style.dim(/^(agentcore-ts|curl) /.test(command) ? `$ ${command}` : `(${command})`));
    return record.facts;
  };

  let copied: CopyReport | undefined;
  try {
    // 1. The embedded Cognito, held for the whole run so every operation finds it up.
    await step(
      "embedded-cognito",
      "embedded Cognito",
      "start the embedded Cognito (a local Amazon Cognito on loopback)",
      "agentcore-ts cognito local start",
      "the embedded Cognito to run on its port",
      async (s) => {
        const { ensureEmbeddedCognito, embeddedCognitoDataDir } = await import("../../embedded-cognito/control.js");
        cognito = ensureEmbeddedCognito(opEnv);
        const held = await cognito;
        s.done(
          `Embedded Cognito on ${held.endpoint} (${held.startedHere ? "started" : "already running, reused"}); its pools live in ${embeddedCognitoDataDir(opEnv)}`,
        );
        s.say("It issues real RS256-signed JWTs and serves the OIDC discovery document, like Cognito in AWS.");
        return { endpoint: held.endpoint, startedHere: held.startedHere };
      },
    );

    // 2. cognito setup --local: pool, public app client, test user with a fresh password, login, tokens cached.
    const setup = await step(
      "cognito-setup",
      "cognito setup --local",
      "create a user pool, an app client and a test user, and log in (cognito setup --local)",
      "agentcore-ts cognito setup --local",
      `a user pool, an app client and user "${QUICKSTART_USER}" with an access token in the token cache`,
      async (s) => {
        const { cognitoSetup, defaultPoolName } = await import("../cognito/setup.js");
        const result = await cognitoSetup(
          { local: true, poolName: defaultPoolName(projectDir), username: QUICKSTART_USER, resetPassword: true },
          subContext(s),
        );
        s.done(`User pool "${result.userPool.name}": ${result.userPool.id} (${result.userPool.status})`);
        s.done(
          `App client "${result.appClient.name}": ${result.clientId} (${result.appClient.status}; public, USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH)`,
        );
        s.done(`Test user "${result.user.username}" (${result.user.status}) with a new random password, kept in memory for this run only`);
        s.done(
          `Logged in: access token ${describeExpiry(new Date(result.accessToken.expiresAt))}, saved with its refresh token in ${tokenCachePath(ctx.env)} (mode 0600)`,
        );
        s.done(`Discovery URL and client id saved to ${CONFIG_FILE_NAME} and .env (never a token or password)`);
        s.say(`Discovery URL: ${result.discoveryUrl}`);
        return {
          userPoolId: result.userPool.id,
          userPool: result.userPool.status,
          clientId: result.clientId,
          appClient: result.appClient.status,
          username: result.user.username,
          user: result.user.status,
          discoveryUrl: result.discoveryUrl,
          accessTokenExpiresAt: result.accessToken.expiresAt,
          region: result.region,
        };
      },
    );

    // 3. The example agent copied in, configured with a customJWTAuthorizer for that app client.
    await step(
      "configure",
      "configure",
      "configure the example agent with a JWT authorizer (configure)",
      `agentcore-ts configure --entrypoint ${ENTRYPOINT} --name ${QUICKSTART_AGENT} --discovery-url ${shellQuote(String(setup.discoveryUrl))} --allowed-clients ${setup.clientId} --request-header-allowlist Authorization`,
      `agent "${QUICKSTART_AGENT}" in ${CONFIG_FILE_NAME} with a customJWTAuthorizer allowing client ${setup.clientId}`,
      async (s) => {
        copied = await copyExampleAgent(projectDir, force);
        const links = await linkExampleDependencies(projectDir);
        const agentFiles = copied.created.filter((file) => file !== ".gitignore");
        s.done(
          agentFiles.length
            ? `Copied the TypeScript example agent (calculator + weather tools on the bedrock-agentcore SDK) into ${projectDir}: ${agentFiles.length} file(s)`
            : `The TypeScript example agent is in place (${copied.unchanged.length} file(s) up to date)`,
        );
        if (copied.restored.length) s.done(`Restored the example's ${copied.restored.join(", ")} (--force)`);
        if (copied.kept.length)
          s.say(`${style.yellow("note:")} kept your edited ${copied.kept.join(", ")} (pass --force to restore the example's version)`);
        s.done(
          `node_modules/ links to agentcore-ts's own ${links.linked.join(", ")}${links.installed.length ? ` (installed here: ${links.installed.join(", ")})` : ""}: no npm install needed`,
        );
        const { configure } = await import("../configure/configure.js");
        const sub = subContext(s);
        const { agent } = await configure(
          {
            entrypoint: ENTRYPOINT,
            name: QUICKSTART_AGENT,
            discoveryUrl: String(setup.discoveryUrl),
            allowedClients: String(setup.clientId),
            requestHeaderAllowlist: "Authorization",
          },
          { cwd: projectDir, output: s, prompter: sub.prompter, region: ctx.region, dotenv: sub.dotenv, env: opEnv },
        );
        const jwt = agent.authorizerConfiguration?.customJWTAuthorizer;
        if (!jwt?.allowedClients?.includes(String(setup.clientId))) {
          throw new AgentcoreError(`the saved agent has no customJWTAuthorizer allowing client ${setup.clientId}`, {
            code: "ConfigureMismatch",
          });
        }
        s.done(`Agent "${agent.name}" in ${CONFIG_FILE_NAME}: entrypoint ${agent.entrypoint}, inbound auth customJWTAuthorizer`);
        s.say(`  discoveryUrl ${jwt.discoveryUrl}`);
        s.say(`  allowedClients ${jwt.allowedClients.join(", ")} (Cognito access tokens carry client_id, not aud)`);
        s.say(`  requestHeaderAllowlist ${agent.requestHeaderAllowlist.join(", ")} (the agent sees who called)`);
        s.done(`Dockerfile and .dockerignore written for a later \`agentcore-ts launch\` to AWS (linux/arm64)`);
        return {
          agent: agent.name,
          entrypoint: agent.entrypoint,
          discoveryUrl: jwt.discoveryUrl,
          allowedClients: jwt.allowedClients,
          requestHeaderAllowlist: agent.requestHeaderAllowlist,
          files: {
            created: copied.created.length,
            unchanged: copied.unchanged.length,
            kept: copied.kept,
            restored: copied.restored.length,
          },
          linkedPackages: links.linked,
        };
      },
    );

    // 4. launch --local: the agent as a process behind the gateway that enforces the authorizer.
    const launchFacts = await step(
      "launch-local",
      "launch --local",
      "run the agent behind a local gateway that enforces its JWT authorizer (launch --local)",
      "agentcore-ts launch --local",
      "the agent to answer GET /ping behind the local gateway",
      async (s) => {
        // startLocalRuntime refuses a second runtime of the same agent (one already running from `launch --local`).
        const { startLocalRuntime } = await import("../../local/runtime.js");
        runtime = startLocalRuntime({ cwd: projectDir, env: agentEnv, output: s, port, agentPort, mode: "process", signal });
        const rt = await runtime;
        s.done(
          `Agent "${rt.agentName}" running as a process on ${rt.agentUrl}, offline (AGENT_OFFLINE=1: deterministic answers, no AWS calls); log: ${rt.logFile}`,
        );
        s.done(
          `Gateway on ${rt.gatewayUrl}: checks every request's bearer token like AgentCore Runtime (signature, issuer, expiry, client_id)`,
        );
        s.say(`ARN: ${rt.agentRuntimeArn}`);
        return {
          gatewayUrl: rt.gatewayUrl,
          agentUrl: rt.agentUrl,
          agentRuntimeArn: rt.agentRuntimeArn,
          agentPid: rt.agentPid,
          mode: rt.mode,
          auth: rt.auth,
          logFile: rt.logFile,
        };
      },
    );
    const invocationUrl = `${launchFacts.gatewayUrl}/runtimes/${QUICKSTART_AGENT}/invocations?qualifier=DEFAULT`;

    // 5. No token: the gateway refuses before the agent sees anything.
    await step(
      "invoke-without-token",
      "call without a token",
      "call the agent without a token (expect 401)",
      `curl -i -X POST '${invocationUrl}' -H 'Content-Type: application/json' -d ${shellQuote(PAYLOAD)}`,
      "HTTP 401 UnauthorizedException from the gateway",
      async (s) => {
        const response = await fetch(invocationUrl, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream" },
          body: PAYLOAD,
          signal: AbortSignal.timeout(15_000),
        });
        const body = await response.text();
        const errorType = response.headers.get("x-amzn-errortype") ?? "";
        let message = body;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? body;
        } catch {
          // not JSON: show it as it is
        }
        if (response.status !== 401 || !errorType.startsWith("UnauthorizedException")) {
          throw new AgentcoreError(`got HTTP ${response.status}${errorType ? ` ${errorType}` : ""}: ${message.slice(0, 200)}`, {
            code: "Unexpected401Result",
          });
        }
        const wwwAuthenticate = response.headers.get("www-authenticate") ?? "";
        s.done(`HTTP 401 ${errorType}: "${message}"`);
        if (wwwAuthenticate) s.say(`  WWW-Authenticate: ${wwwAuthenticate}`);
        s.say("Refused by the gateway before the agent saw anything, as AgentCore Runtime does. (`agentcore-ts invoke` never");
        s.say("sends a request without a token to a JWT agent: it stops and says how to get one.)");
        return { status: response.status, errorType, message, wwwAuthenticate };
      },
    );

    // 6. invoke --bearer: the cached access token, the answer streamed.
    const invokeStep = async (s: StepOutput, newSession: boolean): Promise<Record<string, unknown>> => {
      const { invoke } = await import("../invoke/invoke.js");
      const result = await invoke({ payload: PAYLOAD, local: true, bearer: true, newSession }, subContext(s));
      s.close();
      const text = typeof result.response === "string" ? result.response : JSON.stringify(result.response);
      const chunks = result.events?.length ?? 0;
      if (result.status !== 200 || !/weather/i.test(text) || chunks < 2) {
        throw new AgentcoreError(
          `got HTTP ${result.status} (${result.contentType || "no content type"}, ${chunks} event(s)): ${text.slice(0, 200)}`,
          { code: "UnexpectedAnswer" },
        );
      }
      const caller = /Called by user "([^"]+)"/.exec(text)?.[1];
      s.done(
        `HTTP ${result.status}, streamed in ${chunks} server-sent events; bearer token from the token cache; session ${result.sessionId}`,
      );
      if (caller) s.say(`The gateway validated the JWT and forwarded it (Authorization is allowlisted): the agent saw user "${caller}".`);
      return {
        status: result.status,
        contentType: result.contentType,
        events: chunks,
        tokenSource: result.tokenSource,
        sessionId: result.sessionId,
        answer: text,
        caller: caller ?? null,
      };
    };
    await step(
      "invoke-bearer",
      "invoke --bearer",
      `call the agent with the bearer token: "${QUICKSTART_PROMPT}" (invoke --bearer)`,
      `agentcore-ts invoke --local --bearer ${shellQuote(PAYLOAD)}`,
      "HTTP 200 with the agent's streamed answer about the weather",
      (s) => invokeStep(s, true),
    );

    // 7. token refresh: REFRESH_TOKEN_AUTH with the cached refresh token (the in-memory password is the fallback).
    await step(
      "token-refresh",
      "token refresh",
      "renew the access token with the refresh token (token refresh)",
      "agentcore-ts token refresh",
      "a new access token in the token cache",
      async (s) => {
        const { tokenRefresh } = await import("../token/refresh.js");
        const result = await tokenRefresh({}, subContext(s));
        s.done(
          `New access token for "${result.username}" via ${result.method === "refresh_token" ? "the refresh token (REFRESH_TOKEN_AUTH, no password needed)" : "a password login (the refresh token was refused)"}, ${describeExpiry(new Date(result.expiresAt))}`,
        );
        s.say(
          `Cognito access tokens live ${formatDuration(result.expiresInSeconds * 1000)} here; commands refresh a cached token by themselves when it is about to expire.`,
        );
        return { method: result.method, username: result.username, expiresAt: result.expiresAt };
      },
    );

    // 8. invoke --bearer again, with the renewed token, in the same session.
    await step(
      "invoke-bearer-again",
      "invoke --bearer again",
      "call the agent again with the renewed token (invoke --bearer)",
      `agentcore-ts invoke --local --bearer ${shellQuote(PAYLOAD)}`,
      "HTTP 200 with the streamed answer, using the renewed token",
      (s) => invokeStep(s, false),
    );

    // 9. Stop everything and check that nothing is left running.
    await step(
      "stop",
      "stop",
      "stop the gateway, the agent and the embedded Cognito",
      "same as Ctrl-C in the terminal running `agentcore-ts launch --local`; the embedded Cognito stops when no command uses it",
      "the gateway, the agent and the embedded Cognito stopped, and the runtime record removed",
      async (s) => {
        const facts = await stopEverything();
        stopReported = facts;
        const problems: string[] = [];
        if (facts.gatewayStopped === false) problems.push("the gateway still accepts connections");
        if (facts.agentStopped === false) problems.push("the agent is still running");
        if (facts.runtimeRecordRemoved === false) problems.push("the runtime record is still there");
        if (facts.embeddedCognito === "still running") problems.push("the embedded Cognito is still running");
        if (problems.length) throw new AgentcoreError(problems.join("; "), { code: "StopIncomplete" });
        s.done("Gateway and agent stopped; runtime record removed");
        s.done(`Embedded Cognito ${facts.embeddedCognito ?? "stopped"} (its pools and users stay for the next run)`);
        return { ...facts };
      },
    );
  } catch (error) {
    const failure = toAgentcoreError(error);
    if (!stopReported) {
      out.info("");
      out.info("Stopping what the quickstart started…");
      const facts = await stopEverything().catch((stopError: unknown) => {
        out.warn(`Stopping failed: ${(stopError as Error).message}`);
        return undefined;
      });
      if (facts) out.info(`  ${describeStop(facts)}`);
    }
    fromProcess?.dispose();
    throw new AgentcoreError(failure.message, {
      // The wrapped error's code, ours or the service's: carried over unchanged.
      code: failure.code as ErrorCode,
      exitCode: failure.exitCode === 130 ? 130 : 1,
      hint: failure.hint,
      cause: failure.cause ?? error,
      details: { projectDir, steps },
    });
  }
  fromProcess?.dispose();

  const totalMs = Math.round(performance.now() - started);
  const next = nextCommands(ctx.cwd, projectDir);
  const fileCounts: Record<string, number> = copied
    ? { created: copied.created.length, unchanged: copied.unchanged.length, kept: copied.kept.length, restored: copied.restored.length }
    : {};
  const result: QuickstartResult = {
    ok: true,
    project: { dir: projectDir, status: projectStatus, files: fileCounts },
    agent: QUICKSTART_AGENT,
    totalMs,
    steps,
    next,
  };
  printNext(out, style, result);
  out.result(result);
  return result;
}

function describeStop(facts: StopFacts): string {
  const parts: string[] = [];
  if (facts.gatewayStopped !== undefined) parts.push(`gateway ${facts.gatewayStopped ? "stopped" : "STILL LISTENING"}`);
  if (facts.agentStopped !== undefined) parts.push(`agent ${facts.agentStopped ? "stopped" : "STILL RUNNING"}`);
  if (facts.embeddedCognito) parts.push(`embedded Cognito ${facts.embeddedCognito}`);
  return parts.length ? `${parts.join(", ")}.` : "Nothing was running yet.";
}

function nextCommands(cwd: string, projectDir: string): { local: string[]; aws: string[] } {
  const relative = path.relative(cwd, projectDir);
  const cdTarget = relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : projectDir;
  return {
    local: [
      ...(relative === "" ? [] : [`cd ${shellQuote(cdTarget)}`]),
      "agentcore-ts launch --local",
      `agentcore-ts invoke --local --bearer '{"prompt":"What is 6*7?"}'`,
      "agentcore-ts token verify",
    ],
    aws: [
      "agentcore-ts cognito setup --no-local",
      "agentcore-ts configure --entrypoint src/agent.ts",
      "agentcore-ts launch",
      `agentcore-ts invoke --bearer ${shellQuote(PAYLOAD)}`,
    ],
  };
}

function printNext(out: Output, style: QuickstartStyle, result: QuickstartResult): void {
  const [cd, launch, invoke, verify] = result.next.local.length === 4 ? result.next.local : [undefined, ...result.next.local];
  const [setup, configure, deploy, invokeAws] = result.next.aws;
  const lines = (rows: [string | undefined, string][]) => {
    const present = rows.filter((row): row is [string, string] => row[0] !== undefined);
    const width = Math.max(...present.map(([command]) => (command.length <= 72 ? command.length : 0)));
    for (const [command, why] of present) {
      out.info(`  ${style.dim("$")} ${why ? `${command.padEnd(width)}  ${style.dim(`# ${why}`)}` : command}`);
    }
  };
  out.info("");
  out.info(
    `${style.green("✔")} ${style.bold(`Quickstart done: all ${STEP_COUNT} steps gave the expected result in ${(result.totalMs / 1000).toFixed(1)}s.`)}`,
  );
  out.info(`  The project stays in ${result.project.dir}: the agent's code, ${CONFIG_FILE_NAME} and .env.`);
  out.info("");
  out.info(style.bold("Go on from here, on this machine:"));
  lines([
    [cd, ""],
    [launch, "in one terminal; Ctrl-C stops it"],
    [invoke, "in another: the calculator tool"],
    [verify, "which of the authorizer's checks the cached token passes"],
  ]);
  out.info(
    style.dim(
      "  (the agent answers offline unless AWS credentials are found; AGENT_OFFLINE=1 agentcore-ts launch --local keeps it offline)",
    ),
  );
  out.info("");
  out.info(style.bold("Move to AWS (an AWS account, credentials and Bedrock model access needed):"));
  lines([
    [setup, "a user pool in AWS instead of the embedded one"],
    [configure, "the agent follows the project's new pool"],
    [deploy, "build linux/arm64, push to ECR, create the runtime"],
    [invokeAws, ""],
  ]);
}
