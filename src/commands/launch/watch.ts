/**
 * `launch --local --watch`: reloads the agent when its sources change. The gateway, the embedded Cognito
 * and the runtime record stay up; LocalRuntime.restart() holds the gateway's requests until the new agent
 * answers its health probe (src/local/runtime/restart-hold.ts). Reloads never overlap: changes that arrive
 * during one are gathered into the next. A reload that fails (a syntax error, a crash at start) is
 * reported with the log's tail, and the watch goes on: the next good change brings the agent back.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { DockerIgnore } from "../../build/dockerignore.js";
import { logTail } from "../../local/agent-runner.js";
import type { LocalRuntime } from "../../local/runtime.js";
import { type SourceWatcher, watchSources } from "../../local/watch.js";
import type { ReloadEvent } from "./types.js";

/** What declares a process agent's dependencies (src/local/dependencies/): a change re-checks them before the reload. */
const DEPENDENCY_FILES = /^(package\.json|package-lock\.json|npm-shrinkwrap\.json|pyproject\.toml|requirements.*\.txt)$/;

/** Never sources, whatever .dockerignore says: dependency trees, caches, VCS data, agentcore-ts's own files. */
const ALWAYS_IGNORED = [".git", "node_modules", ".venv", "venv", "__pycache__", "*.pyc", ".agentcore*", ".DS_Store", "*~", ".*.swp"];

/** The project's .dockerignore (what the image leaves out) plus the always-ignored names, in any directory. */
async function sourceIgnores(projectDir: string): Promise<DockerIgnore> {
  const text = await fsp.readFile(path.join(projectDir, ".dockerignore"), "utf8").catch(() => "");
  // Last, so a `!` in the user's file cannot bring node_modules back into the watch.
  return DockerIgnore.parse(`${text}\n${ALWAYS_IGNORED.map((p) => `${p}\n**/${p}`).join("\n")}\n`);
}

export interface ReloadWatch {
  /** The directory watched, relative to the project (posix; "." for the project itself). */
  root: string;
  /** Resolves once no reload is under way. */
  idle(): Promise<void>;
  close(): void;
}

export async function watchAndReload(
  runtime: Pick<LocalRuntime, "restart" | "logFile">,
  source: { projectDir: string; entrypoint: string },
  report: (event: ReloadEvent) => void,
  debounceMs?: number,
): Promise<ReloadWatch> {
  const root = path.dirname(path.resolve(source.projectDir, source.entrypoint));
  const pending = new Set<string>();
  let running: Promise<void> | undefined;
  let closed = false;

  const reload = async (): Promise<void> => {
    while (pending.size > 0 && !closed) {
      const changed = [...pending].sort();
      pending.clear();
      const started = performance.now();
      // A changed manifest or lockfile: the dependencies are checked (and, with --install, installed) first.
      const readiness = await runtime.restart({ dependencies: changed.some((p) => DEPENDENCY_FILES.test(path.posix.basename(p))) });
      if (closed) return;
      const ms = Math.round(performance.now() - started);
      const at = new Date().toISOString();
      if (readiness.ready) report({ changed, ok: true, ms, at });
      else if ("kept" in readiness) report({ changed, ok: false, ms, at, reason: readiness.reason, kept: true });
      else report({ changed, ok: false, ms, at, reason: readiness.reason, logTail: await logTail(runtime.logFile, 12) });
    }
  };

  const ignore = await sourceIgnores(source.projectDir);
  const watcher: SourceWatcher = await watchSources({
    projectDir: source.projectDir,
    root,
    ignores: (rel) => ignore.ignores(rel),
    debounceMs,
    onChange(paths) {
      for (const p of paths) pending.add(p);
      running ??= reload().finally(() => {
        running = undefined;
      });
    },
  });
  return {
    root: path.relative(source.projectDir, root).split(path.sep).join("/") || ".",
    idle: async () => {
      while (running) await running;
    },
    close() {
      closed = true;
      watcher.close();
    },
  };
}
