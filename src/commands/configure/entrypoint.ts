/** The agent's code: its entrypoint (a file, or found in a directory), its name and its requirements file. */
import { statSync } from "node:fs";
import path from "node:path";
import type { AgentConfig, AgentcoreConfig } from "../../config/schema.js";
import { UsageError, ValidationError } from "../../errors.js";
import type { ConfigureDeps, ConfigureInputs } from "./types.js";
import {
  AGENT_NAME_RULE,
  agentNameProblem,
  findEntrypointIn,
  inferAgentName,
  isFile,
  type Language,
  languageOf,
  projectRelative,
  sanitizeDirName,
} from "./validate.js";

export function checkName(name: string): string {
  const problem = agentNameProblem(name);
  if (problem) throw new ValidationError(`${problem}.`, { hint: "Pass --name with e.g. my_agent.", code: "InvalidAgentName" });
  return name;
}

export async function resolveEntrypoint(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  projectDir: string,
  config: AgentcoreConfig,
): Promise<string> {
  let given = inputs.entrypoint;
  if (given === undefined) {
    const current = config.defaultAgent ? config.agents[config.defaultAgent] : undefined;
    const fromConfig =
      current && (await isFile(path.join(projectDir, current.entrypoint))) ? path.join(projectDir, current.entrypoint) : undefined;
    const found = fromConfig ?? (await findEntrypointIn(deps.cwd));
    const suggestion = found ? path.relative(deps.cwd, found) : undefined;
    // Every check the answer must pass is made here, so a wrong answer is asked again, not fatal later.
    given = await deps.prompter.input({
      message: "Entrypoint (the agent's main .py/.ts/.js file)",
      flag: "--entrypoint",
      default: suggestion,
      validate: async (value) => {
        try {
          await checkEntrypoint(value, deps.cwd, projectDir);
          return true;
        } catch (error) {
          return error instanceof ValidationError ? `${error.message}${error.hint ? ` ${error.hint}` : ""}` : String(error);
        }
      },
    });
  }
  return checkEntrypoint(given, deps.cwd, projectDir);
}

/** The entrypoint as a project-relative path: it exists (a directory holds one), it is inside the project, its language is known. */
async function checkEntrypoint(given: string, cwd: string, projectDir: string): Promise<string> {
  let absolute = path.resolve(cwd, given);
  const kind = existingPath(absolute);
  if (!kind) {
    throw new ValidationError(`The entrypoint ${given} does not exist.`, {
      hint: `Pass --entrypoint with the agent's main file, relative to ${cwd}.`,
      code: "EntrypointNotFound",
    });
  }
  if (kind === "dir") {
    const found = await findEntrypointIn(absolute);
    if (!found) {
      throw new ValidationError(
        `No entrypoint found in the directory ${given} (looked for agent.py, main.py, app.py, src/agent.ts, index.ts, …).`,
        {
          hint: "Pass --entrypoint with the agent's main file.",
          code: "EntrypointNotFound",
        },
      );
    }
    absolute = found;
  }
  const relative = projectRelative(projectDir, cwd, absolute, "entrypoint", "--entrypoint");
  languageOf(relative);
  return relative;
}

function existingPath(file: string): "file" | "dir" | undefined {
  try {
    const stat = statSync(file);
    return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

export async function resolveName(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  projectDir: string,
  config: AgentcoreConfig,
  entrypoint: string,
): Promise<string> {
  if (inputs.name !== undefined) return inputs.name;
  // Reconfiguring the same entrypoint updates the agent that already has it.
  const sameEntrypoint = Object.values(config.agents).find((agent) => agent.entrypoint === entrypoint);
  let suggestion = sameEntrypoint?.name;
  if (!suggestion) {
    const inferred = inferAgentName(entrypoint);
    if (!agentNameProblem(inferred)) {
      suggestion = inferred;
    } else {
      const fromDir = sanitizeDirName(path.basename(projectDir));
      const why = `Cannot infer a valid agent name from the entrypoint ${entrypoint}: "${inferred}" ${AGENT_NAME_RULE}`;
      if (!fromDir && !deps.prompter.interactive) {
        throw new UsageError(`${why}.`, { hint: "Pass --name <agent> (e.g. --name my_agent).", code: "MissingValue" });
      }
      deps.output.warn(fromDir ? `${why}; suggesting the project directory's name "${fromDir}" instead.` : `${why}.`);
      suggestion = fromDir;
    }
  }
  const name = await deps.prompter.input({
    message: "Agent name",
    flag: "--name",
    default: suggestion,
    validate: (value) => agentNameProblem(value) ?? true,
  });
  return checkName(name);
}

/** requirements.txt / pyproject.toml (python) or package.json (node): next to the entrypoint, then each parent up to the project. */
async function detectRequirements(projectDir: string, entrypoint: string, language: Language): Promise<string | undefined> {
  const names = language === "python" ? ["requirements.txt", "pyproject.toml"] : ["package.json"];
  let dir = path.posix.dirname(entrypoint);
  for (;;) {
    for (const name of names) {
      const candidate = dir === "." ? name : `${dir}/${name}`;
      if (await isFile(path.join(projectDir, candidate))) return candidate;
    }
    if (dir === ".") return undefined;
    dir = path.posix.dirname(dir);
  }
}

export async function resolveRequirements(
  inputs: ConfigureInputs,
  deps: ConfigureDeps,
  projectDir: string,
  entrypoint: string,
  language: Language,
  existing: AgentConfig | undefined,
): Promise<string | null> {
  const check = async (given: string): Promise<string> => {
    const relative = projectRelative(projectDir, deps.cwd, given, "requirements file", "--requirements-file");
    if (!(await isFile(path.join(projectDir, relative)))) {
      throw new ValidationError(`The requirements file ${given} does not exist.`, {
        hint:
          language === "python"
            ? "Pass --requirements-file with a requirements.txt or pyproject.toml."
            : "Pass --requirements-file with the agent's package.json.",
        code: "RequirementsNotFound",
      });
    }
    const base = path.posix.basename(relative);
    const fits = language === "python" ? base === "pyproject.toml" || base.endsWith(".txt") : base === "package.json";
    if (!fits) {
      throw new ValidationError(
        `${relative} is not a ${language === "python" ? "requirements .txt file or pyproject.toml" : "package.json"} (the entrypoint is ${language === "python" ? "Python" : "Node"}).`,
        {
          hint:
            language === "python"
              ? "Pass --requirements-file requirements.txt or pyproject.toml."
              : "Pass --requirements-file package.json.",
          code: "WrongRequirementsFile",
        },
      );
    }
    return relative;
  };
  if (inputs.requirementsFile !== undefined) return check(inputs.requirementsFile);
  if (existing?.requirementsFile && existing.language === language && (await isFile(path.join(projectDir, existing.requirementsFile)))) {
    return existing.requirementsFile;
  }
  const detected = await detectRequirements(projectDir, entrypoint, language);
  if (detected) return detected;
  if (!deps.prompter.interactive) {
    if (language === "node") return null; // planNodeDockerfile explains what is missing
    deps.output.warn(
      `No requirements.txt or pyproject.toml found for ${entrypoint}: the image installs no dependencies (pass --requirements-file to name one).`,
    );
    return null;
  }
  const answer = await deps.prompter.input({
    message: language === "python" ? "Requirements file (requirements.txt or pyproject.toml; Enter for none)" : "The agent's package.json",
    flag: "--requirements-file",
    optional: language === "python",
    validate: (value) =>
      (value === "" && language === "python") || existingPath(path.resolve(deps.cwd, value)) === "file" || `${value} does not exist`,
  });
  return answer === "" ? null : check(answer);
}
