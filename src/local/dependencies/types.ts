/** What the dependency check of a process-mode agent found, and how to fix it (src/local/dependencies.ts). */

/** One command of an install, run in DependencyGap.dir. */
export interface InstallStep {
  file: string;
  args: string[];
  /** As a person would type it in that directory (relative paths, no absolute interpreter path). */
  display: string;
}

export interface DependencyGap {
  language: "node" | "python";
  /** Where the install commands run: the package root (Node) or the project directory (Python). */
  dir: string;
  /** The manifest read, relative to `dir`: package.json, requirements.txt, pyproject.toml. */
  manifest: string;
  /** What runs the agent, for messages: "node 20.1.0 (/usr/bin/node)", "/p/.venv/bin/python (Python 3.12.1, the project's .venv)". */
  runner: string;
  /** What is wrong, one item each: `"zod" is missing`, `node_modules is older than package-lock.json`. */
  problems: string[];
  /** The commands that fix it, in order. */
  steps: InstallStep[];
  /** Python without a .venv: the first step creates this directory (removed again when a later step fails). */
  createsVenv?: string;
  /** Why this is the fix (e.g. the system interpreter is never installed into). */
  note?: string;
}

export function step(file: string, args: string[], display = [file, ...args].join(" ")): InstallStep {
  return { file, args, display };
}
