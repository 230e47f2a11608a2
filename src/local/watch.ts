/**
 * Watches an agent's sources for `launch --local --watch`: the entrypoint's directory and everything below
 * it, except what the caller's `ignores` leaves out (launch: the project's .dockerignore with Docker's own
 * rules, plus what is never source: .git, node_modules, .venv, __pycache__, *.pyc, .agentcore*).
 *
 * One fs.watch per directory rather than `recursive: true`: on Linux Node's recursive mode walks and
 * watches every directory first, node_modules included (https://nodejs.org/api/fs.html#caveats), while
 * here an ignored directory is never entered. New directories are watched as they appear. Changes are
 * debounced: one burst of writes (an editor's save, a `git checkout`) is one call with every path in it.
 */
import { type FSWatcher, promises as fsp, watch } from "node:fs";
import path from "node:path";

export interface SourceWatcherOptions {
  /** The project directory (.dockerignore's root). */
  projectDir: string;
  /** The directory watched (the entrypoint's), inside projectDir. */
  root: string;
  /** Whether a path (relative to projectDir, posix) is left out: an ignored directory is never entered. */
  ignores(relPath: string): boolean;
  /** Quiet time after the last change before onChange (default 100 ms). */
  debounceMs?: number;
  /** Paths relative to projectDir (posix), sorted, each once. */
  onChange(paths: string[]): void;
}

export interface SourceWatcher {
  close(): void;
}

export async function watchSources(options: SourceWatcherOptions): Promise<SourceWatcher> {
  const debounceMs = options.debounceMs ?? 100;
  const watchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const relative = (abs: string) => path.relative(options.projectDir, abs).split(path.sep).join("/");
  const ignored = (abs: string) => {
    const rel = relative(abs);
    return rel !== "" && options.ignores(rel);
  };

  const flush = () => {
    timer = undefined;
    if (closed || changed.size === 0) return;
    const paths = [...changed].sort();
    changed.clear();
    options.onChange(paths);
  };

  const noteChange = (abs: string) => {
    changed.add(relative(abs));
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const watchDir = async (dir: string): Promise<void> => {
    if (closed || watchers.has(dir) || ignored(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (_event, name) => {
        if (!name) return;
        const abs = path.join(dir, name.toString());
        if (ignored(abs)) return;
        noteChange(abs);
        // A new directory (or one renamed in): watch it too. A removed one's watcher ends with an error.
        void fsp
          .stat(abs)
          .then((s) => (s.isDirectory() ? watchDir(abs) : undefined))
          .catch(() => undefined);
      });
    } catch {
      return; // gone already, or unreadable: nothing to watch
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
    const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => watchDir(path.join(dir, e.name))));
  };

  await watchDir(options.root);
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
