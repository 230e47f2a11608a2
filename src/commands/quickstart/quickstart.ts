/**
 * `quickstart --local`: the whole Inbound Auth workshop on this machine, with no AWS account. It
 * creates (or reuses) a project directory holding a copy of the TypeScript example agent, then runs
 * the real operations in-process, one numbered step each (the table in steps.ts): embedded Cognito ->
 * cognito setup --local -> configure -> launch --local -> a call without a token (401) -> invoke
 * --bearer -> token refresh -> invoke --bearer again -> stop. Each step says what it did and the
 * equivalent command; a step that does not give its expected result stops the run, and everything
 * started is stopped (also on Ctrl-C).
 *
 * The quickstart owns its test user: every run sets a fresh random password, kept in memory only, so a
 * rerun never depends on a cached refresh token that may have expired, and `token refresh` inside the
 * run can fall back to a password login. The agent runs as a plain process with AGENT_OFFLINE=1 and
 * without the user's AWS credentials in its environment: nothing is sent to AWS.
 */
import path from "node:path";
import { Readable } from "node:stream";
import { generatePassword, PASSWORD_ENV } from "../../auth/cognito.js";
import { listenForStop } from "../../core/signals.js";
import { AgentcoreError, type ErrorCode, toAgentcoreError, UsageError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import { NonInteractivePrompter } from "../../ui/prompts.js";
import { printIntro, printStepDone, printStepFailed, printStepHeader, printStopped, printStopping } from "./print.js";
import { DEFAULT_QUICKSTART_DIR, prepareProjectDir, QUICKSTART_AGENT } from "./project.js";
import { StepOutput } from "./step-output.js";
import { PAYLOAD, STEPS, shellQuote, stepsFor } from "./steps.js";
import { stopEverything } from "./stop.js";
import type {
  QuickstartContext,
  QuickstartDeps,
  QuickstartInputs,
  QuickstartResult,
  QuickstartStep,
  RunState,
  StepDefinition,
  StepName,
  StepReports,
} from "./types.js";

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
  const protocol = (inputs.protocol ?? "HTTP").toUpperCase();
  if (protocol !== "HTTP" && protocol !== "MCP") {
    throw new UsageError(`quickstart --protocol "${inputs.protocol}" is not supported.`, {
      hint: "The quickstart runs HTTP (the default) or MCP.",
      code: "InvalidProtocol",
    });
  }
  const out = ctx.output;
  const started = performance.now();
  const projectDir = path.resolve(ctx.cwd, inputs.dir ?? DEFAULT_QUICKSTART_DIR);
  const projectStatus = await prepareProjectDir(projectDir, inputs.force === true);
  printIntro(projectDir, projectStatus, out);

  const fromProcess = deps.signal ? undefined : listenForStop();
  const state = runState(ctx, {
    projectDir,
    force: inputs.force === true,
    port,
    agentPort,
    protocol,
    signal: deps.signal ?? fromProcess!.signal,
  });
  const steps: QuickstartStep[] = [];
  const run = new StepRunner(state, out, steps);
  try {
    for (const step of stepsFor(protocol)) await run.step(step);
  } catch (error) {
    const failure = toAgentcoreError(error);
    if (!state.stopped) {
      printStopping(out);
      const facts = await stopEverything(state).catch((stopError: unknown) => {
        out.warn(`Stopping failed: ${(stopError as Error).message}`);
        return undefined;
      });
      if (facts) printStopped(facts, out);
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

  const copied = state.copied;
  const fileCounts: Record<string, number> = copied
    ? { created: copied.created.length, unchanged: copied.unchanged.length, kept: copied.kept.length, restored: copied.restored.length }
    : {};
  return {
    ok: true,
    project: { dir: projectDir, status: projectStatus, files: fileCounts },
    agent: QUICKSTART_AGENT,
    totalMs: Math.round(performance.now() - started),
    steps,
    next: nextCommands(ctx.cwd, projectDir, protocol),
  };
}

type RunInputs = Pick<RunState, "projectDir" | "force" | "port" | "agentPort" | "protocol" | "signal">;

function runState(ctx: QuickstartContext, inputs: RunInputs): RunState {
  // The environment of the operations: the user's (AGENTCORE_TS_HOME stays theirs, so `token show`, `invoke --local`
  // and the rest keep working afterwards), with the quickstart user's password in memory and no stray token.
  const opEnv: NodeJS.ProcessEnv = { ...ctx.env, [PASSWORD_ENV]: generatePassword() };
  delete opEnv.COGNITO_ACCESS_TOKEN;
  // The agent's environment: offline, without the password or the user's AWS credentials.
  const agentEnv: NodeJS.ProcessEnv = { ...ctx.env, AGENT_OFFLINE: "1", AWS_EC2_METADATA_DISABLED: "true" };
  for (const key of WITHHELD_FROM_AGENT) delete agentEnv[key];
  return {
    ...inputs,
    env: ctx.env,
    opEnv,
    agentEnv,
    context: (output) => ({
      cwd: inputs.projectDir,
      env: opEnv,
      globals: { ...ctx.globals, json: false, nonInteractive: true },
      output,
      prompter: new NonInteractivePrompter(),
      stdin: Object.assign(Readable.from([]), { isTTY: false }),
      aws: ctx.aws,
      region: ctx.region,
      dotenv: (dir?: string) => ctx.dotenv(dir ?? inputs.projectDir),
    }),
  };
}

function interruptedError(step: string): AgentcoreError {
  return new AgentcoreError(`Interrupted during ${step}; everything the quickstart started was stopped.`, {
    code: "Interrupted",
    exitCode: 130,
    hint: "Run `agentcore-ts quickstart --local` again to start over: it reuses the project directory.",
  });
}

/** Runs the steps one after the other, each raced against the stop signal, and records each in `steps`. */
class StepRunner {
  private index = 0;
  /** "Step 4/9 (launch --local)": what an interruption names. */
  private current = "start-up";
  private readonly interrupted: Promise<never>;

  constructor(
    private readonly state: RunState,
    private readonly out: Output,
    private readonly steps: QuickstartStep[],
  ) {
    this.interrupted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(interruptedError(this.current));
      if (state.signal.aborted) onAbort();
      else state.signal.addEventListener("abort", onAbort, { once: true });
    });
    this.interrupted.catch(() => undefined);
  }

  async step<N extends StepName>(step: StepDefinition<N>): Promise<void> {
    this.index += 1;
    const label = `Step ${this.index}/${STEPS.length}`;
    this.current = `${label} (${step.short})`;
    const command = step.command(this.state);
    printStepHeader(label, step.title, this.out);
    const output = new StepOutput(this.out);
    const t0 = performance.now();
    const record: QuickstartStep = { name: step.name, title: step.title, ok: false, ms: 0, command, facts: {} };
    this.steps.push(record);
    let report: StepReports[N];
    try {
      if (this.state.signal.aborted) await this.interrupted;
      report = await Promise.race([step.run(this.state, output), this.interrupted]);
    } catch (error) {
      output.close();
      throw this.failed(step, record, output, error, t0);
    }
    output.close();
    record.facts = report.facts;
    record.ok = true;
    record.ms = Math.round(performance.now() - t0);
    if (output.warnings.length) record.warnings = output.warnings;
    printStepDone(step.name, report, output.warnings, command, this.out);
  }

  /** Records and shows the failure; returns the error that stops the run. */
  private failed(step: StepDefinition<StepName>, record: QuickstartStep, output: StepOutput, error: unknown, t0: number): AgentcoreError {
    record.ms = Math.round(performance.now() - t0);
    const failure = toAgentcoreError(error);
    if (output.warnings.length) record.warnings = output.warnings;
    const interrupted = failure.code === "Interrupted";
    printStepFailed(failure.message, output.warnings, interrupted, this.out);
    if (interrupted) {
      record.error = "interrupted";
      return failure;
    }
    const expected = step.expected(this.state);
    record.expected = expected;
    record.error = failure.message;
    return new AgentcoreError(`${this.current} failed: expected ${expected}, but: ${failure.message.replace(/\.$/, "")}.`, {
      // The wrapped error's code, ours or the service's: carried over unchanged.
      code: failure.code as ErrorCode,
      hint: ["Everything the quickstart started was stopped; run it again once fixed (it reuses the project directory).", failure.hint]
        .filter(Boolean)
        .join(" "),
      cause: error,
    });
  }
}

function nextCommands(cwd: string, projectDir: string, protocol: "HTTP" | "MCP"): { local: string[]; aws: string[] } {
  const relative = path.relative(cwd, projectDir);
  const cdTarget = relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : projectDir;
  return {
    local: [
      ...(relative === "" ? [] : [`cd ${shellQuote(cdTarget)}`]),
      "agentcore-ts launch --local",
      protocol === "MCP"
        ? `agentcore-ts invoke --local --mcp call-tool calculator --input '{"operation":"add","a":6,"b":7}'`
        : `agentcore-ts invoke --local --bearer '{"prompt":"What is 6*7?"}'`,
      "agentcore-ts token verify",
    ],
    aws: [
      "agentcore-ts cognito setup --no-local",
      protocol === "MCP"
        ? "agentcore-ts configure --entrypoint src/server.ts --protocol MCP"
        : "agentcore-ts configure --entrypoint src/agent.ts",
      "agentcore-ts launch",
      protocol === "MCP" ? "agentcore-ts invoke --mcp list-tools" : `agentcore-ts invoke --bearer ${shellQuote(PAYLOAD)}`,
    ],
  };
}
