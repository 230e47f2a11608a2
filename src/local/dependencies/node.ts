/**
 * A Node agent's dependencies: the `dependencies` of the package.json nearest to the entrypoint (its
 * directory, then up to the project directory) must each resolve the way Node looks them up, in
 * node_modules of that directory or of any parent (https://nodejs.org/api/modules.html#loading-from-node_modules-folders),
 * and the installed tree must match the lockfile. npm records the tree it installed in the hidden lockfile
 * node_modules/.package-lock.json (https://docs.npmjs.com/cli/configuring-npm/package-lock-json#hidden-lockfiles):
 * when package-lock.json (or npm-shrinkwrap.json, which wins when both exist) is newer than it and lists
 * a package the hidden one does not have at the same version, node_modules is older than the lockfile
 * (a pull changed it). Packages npm leaves out on purpose (optional, dev, peer) do not count.
 * The fix is `npm ci` when there is a lockfile (it installs exactly what it says), else `npm install`.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { exists } from "../../util/fs.js";
import { type DependencyGap, step } from "./types.js";

const LOCKFILES = ["npm-shrinkwrap.json", "package-lock.json"] as const;
const NPM_FLAGS = ["--no-audit", "--no-fund"];

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  optional?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fsp.readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The directory of the package.json nearest to the entrypoint, not above the project directory. */
async function packageRootOf(projectDir: string, entrypoint: string): Promise<string | undefined> {
  const top = path.resolve(projectDir);
  let dir = path.dirname(path.resolve(top, entrypoint));
  for (;;) {
    if (await exists(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (dir === top || parent === dir) return undefined;
    dir = parent;
  }
}

async function resolvable(from: string, name: string): Promise<boolean> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (await exists(path.join(dir, "node_modules", name, "package.json"))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

const mtime = (file: string) =>
  fsp.stat(file).then(
    (s) => s.mtimeMs,
    () => undefined,
  );

/** True when the lockfile lists a package that the installed tree (the hidden lockfile) lacks or has at another version. */
async function olderThanLockfile(root: string, lockfile: string): Promise<boolean> {
  const hidden = path.join(root, "node_modules", ".package-lock.json");
  const [lockTime, hiddenTime] = await Promise.all([mtime(lockfile), mtime(hidden)]);
  if (lockTime === undefined) return false;
  if (hiddenTime === undefined) {
    // Installed by something that keeps no hidden lockfile (an old npm, another tool, links): the directory's time is all there is.
    const treeTime = await mtime(path.join(root, "node_modules"));
    return treeTime !== undefined && lockTime > treeTime;
  }
  if (lockTime <= hiddenTime) return false;
  // Newer, but a checkout also touches an unchanged file: compare what the two describe.
  const [wanted, installed] = await Promise.all([
    readJson<{ packages?: Record<string, LockEntry> }>(lockfile),
    readJson<{ packages?: Record<string, LockEntry> }>(hidden),
  ]);
  if (!wanted?.packages || !installed?.packages) return true;
  const facts = (e: LockEntry) => JSON.stringify([e.version, e.resolved, e.integrity, e.link]);
  for (const [key, entry] of Object.entries(wanted.packages)) {
    if (key === "") continue;
    const have = installed.packages[key];
    if (!have) {
      if (entry.optional || entry.dev || entry.devOptional || entry.peer) continue;
      return true;
    }
    if (facts(have) !== facts(entry)) return true;
  }
  return false;
}

type Manifest = Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;
const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

/**
 * `npm ci` refuses a lockfile that does not match package.json (https://docs.npmjs.com/cli/commands/npm-ci):
 * the lockfile's root entry ("") records the dependency ranges it was made from. When package.json changed
 * since, `npm install` is the fix (it updates the lockfile).
 */
async function lockfileMatches(lockfile: string, manifest: Manifest): Promise<boolean> {
  const root = (await readJson<{ packages?: Record<string, Manifest> }>(lockfile))?.packages?.[""];
  if (!root) return false;
  const same = (a: Record<string, string> = {}, b: Record<string, string> = {}) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  return DEPENDENCY_FIELDS.every((field) => same(manifest[field], root[field]));
}

export async function nodeGap(projectDir: string, entrypoint: string): Promise<DependencyGap | undefined> {
  const root = await packageRootOf(projectDir, entrypoint);
  if (!root) return undefined;
  const manifest = await readJson<Manifest>(path.join(root, "package.json"));
  const names = Object.keys(manifest?.dependencies ?? {});
  if (names.length === 0) return undefined;
  const problems: string[] = [];
  const found = await Promise.all(names.map((name) => resolvable(root, name)));
  const absent = names.filter((_, i) => !found[i]);
  if (absent.length > 0) {
    const listed = absent.map((n) => `"${n}"`).join(", ");
    problems.push(
      `${listed} ${absent.length === 1 ? "is" : "are"} missing${(await exists(path.join(root, "node_modules"))) ? "" : " (there is no node_modules)"}`,
    );
  }
  let lockfile: string | undefined;
  for (const name of LOCKFILES) {
    if (await exists(path.join(root, name))) {
      lockfile = name;
      break;
    }
  }
  if (lockfile && absent.length === 0 && (await olderThanLockfile(root, path.join(root, lockfile)))) {
    problems.push(`node_modules is older than ${lockfile} and does not hold what it lists`);
  }
  if (problems.length === 0) return undefined;
  return {
    language: "node",
    dir: root,
    manifest: "package.json",
    runner: `node ${process.versions.node} (${process.execPath})`,
    problems,
    steps: [
      lockfile && (await lockfileMatches(path.join(root, lockfile), manifest!))
        ? step("npm", ["ci", ...NPM_FLAGS])
        : step("npm", ["install", ...NPM_FLAGS]),
    ],
  };
}
