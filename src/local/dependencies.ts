/**
 * Before a process-mode agent starts: are its dependencies installed where it will run? Node
 * (dependencies/node.ts): package.json's dependencies resolvable and node_modules not older than the
 * lockfile. Python (dependencies/python.ts): requirements.txt / pyproject.toml satisfied in the
 * interpreter that will run it. When something is missing: with `install` it is installed, with a
 * terminal to ask on the user is asked first, otherwise it is an error that names the interpreter and
 * the command. A container needs no check: its image build installs the dependencies.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { AgentcoreError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { runInstallSteps } from "./dependencies/install.js";
import { nodeGap } from "./dependencies/node.js";
import { pythonGap } from "./dependencies/python.js";
import type { DependencyGap } from "./dependencies/types.js";

export type { DependencyGap } from "./dependencies/types.js";

export interface DependencyPolicy {
  /** --install: install what is missing without asking. */
  install?: boolean;
  /** Asks a yes/no question on the user's terminal; absent when there is none (then only `install` installs). */
  confirm?: (message: string) => Promise<boolean>;
}

export interface DependencyRun {
  env: NodeJS.ProcessEnv;
  output?: Output;
  /** Where the installer's whole output goes. */
  logFile: string;
  /** Aborts an install under way (Ctrl-C). */
  signal?: AbortSignal;
}

interface AgentSource {
  projectDir: string;
  entrypoint: string;
  language: "python" | "node";
  requirementsFile?: string | null;
}

/** What is missing for the agent, or undefined when nothing is. */
export function dependencyGap(spec: AgentSource, env: NodeJS.ProcessEnv): Promise<DependencyGap | undefined> {
  const python = path.extname(spec.entrypoint).toLowerCase() === ".py" || spec.language === "python";
  return python ? pythonGap(spec, env) : nodeGap(spec.projectDir, spec.entrypoint);
}

function commandLine(gap: DependencyGap): string {
  return gap.steps.map((s) => s.display).join(" && ");
}

function missingError(gap: DependencyGap, declined: boolean): AgentcoreError {
  const command = commandLine(gap);
  return new AgentcoreError(
    `The agent's dependencies (${path.join(gap.dir, gap.manifest)}) are not all installed: ${gap.problems.join("; ")}. It would run with ${gap.runner}.`,
    {
      code: "DependenciesMissing",
      hint: `${gap.note ? `${gap.note} ` : ""}Run \`${command}\` in ${gap.dir}, or pass --install to have agentcore-ts run it${declined ? "" : " (there is no terminal to ask on)"}.`,
      details: { language: gap.language, dir: gap.dir, manifest: gap.manifest, runner: gap.runner, problems: gap.problems, command },
    },
  );
}

/** Checks the agent's dependencies and, as the policy allows, installs what is missing; throws when they stay missing. */
export async function ensureDependencies(spec: AgentSource, policy: DependencyPolicy, run: DependencyRun): Promise<void> {
  const gap = await dependencyGap(spec, run.env);
  if (!gap) return;
  const command = commandLine(gap);
  if (!policy.install) {
    if (!policy.confirm) throw missingError(gap, false);
    for (const problem of gap.problems) run.output?.warn(`The agent's dependencies (${gap.manifest}): ${problem}.`);
    if (gap.note) run.output?.info(gap.note);
    if (!(await policy.confirm(`Install them now with \`${command}\` in ${gap.dir}?`))) throw missingError(gap, true);
  }
  run.output?.info(`Installing the agent's dependencies in ${gap.dir}: ${command}`);
  const outcome = await runInstallSteps(gap.steps, {
    cwd: gap.dir,
    env: run.env,
    output: run.output,
    logFile: run.logFile,
    signal: run.signal,
  });
  if (outcome.failed) {
    let state: string;
    if (gap.createsVenv) {
      await rm(gap.createsVenv, { recursive: true, force: true });
      state = `The .venv this install created was removed again: the project is as it was before.`;
    } else if (gap.language === "python") {
      state = `The project's .venv was there before and may now hold part of the requirements; run the command again once the cause is fixed (pip skips what is installed).`;
    } else {
      state = `node_modules may now be partly installed; run the command again once the cause is fixed.`;
    }
    if (run.signal?.aborted) {
      throw new AgentcoreError(`Stopped while installing the agent's dependencies (${outcome.failed.display}).`, {
        code: "Cancelled",
        exitCode: 130,
        hint: state,
      });
    }
    throw new AgentcoreError(`Installing the agent's dependencies failed: \`${outcome.failed.display}\` ended with ${outcome.status}.`, {
      code: "DependencyInstallFailed",
      hint: `${state}\nFull output: ${run.logFile}. Last lines:\n${outcome.tail
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}`,
      details: { dir: gap.dir, command: outcome.failed.display, status: outcome.status, logFile: run.logFile },
    });
  }
  const after = await dependencyGap(spec, run.env);
  if (after) {
    throw new AgentcoreError(
      `\`${command}\` succeeded, but the agent's dependencies are still not all there: ${after.problems.join("; ")} (it would run with ${after.runner}).`,
      {
        code: "DependenciesMissing",
        hint: `Check ${after.manifest} in ${after.dir} (a name that differs from what the installer installs?). Installer output: ${run.logFile}.`,
      },
    );
  }
  run.output?.success(`Installed the agent's dependencies (${command})`);
}
