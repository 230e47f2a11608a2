/**
 * The build context of an agent image: the files Docker would send (the config directory minus
 * .dockerignore), hashed into the image tag (same sources + same Dockerfile = same tag, so an
 * unchanged agent is not rebuilt) and zipped for CodeBuild.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { type Zippable, zipSync } from "fflate";
import { sha256Hex } from "../aws/canonical.js";
import { CONFIG_FILE_NAME } from "../config/file.js";
import type { AgentConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import { DockerIgnore } from "./dockerignore.js";

export const PLATFORM = "linux/arm64";
/** Where the Dockerfile goes inside the CodeBuild zip when it lives outside the context directory. */
const OUTSIDE_DOCKERFILE_NAME = ".agentcore-ts.Dockerfile";

export interface ContextEntry {
  /** Posix path relative to the context root. */
  rel: string;
  kind: "file" | "dir" | "symlink";
  mode: number;
  /** Symlink target. */
  target?: string;
}

export interface BuildContext {
  dir: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** The Dockerfile's path inside the zip (relative, posix). */
  dockerfileInZip: string;
  entries: ContextEntry[];
  /** Content hash of the context and the Dockerfile, used as the image tag. */
  tag: string;
}

/**
 * The agent's Dockerfile: an explicit `dockerfile` field in its config (relative to the config
 * directory), else `Dockerfile` next to .agentcore.json (what `configure` writes).
 */
export async function locateDockerfile(configDir: string, agent: AgentConfig): Promise<string> {
  const explicit = typeof agent.dockerfile === "string" && agent.dockerfile !== "" ? agent.dockerfile : undefined;
  const candidates = explicit ? [explicit] : ["Dockerfile"];
  for (const candidate of candidates) {
    const file = path.resolve(configDir, candidate);
    try {
      if ((await fsp.stat(file)).isFile()) return file;
    } catch {
      // try the next one
    }
  }
  throw new ConfigError(
    `No Dockerfile for agent ${agent.name}: looked for ${candidates.map((c) => path.resolve(configDir, c)).join(", ")}.`,
    {
      hint: "Run `agentcore-ts configure` (it writes one), or pass --image-uri with an image you built.",
      code: "DockerfileNotFound",
    },
  );
}

/** The .dockerignore that applies: `<Dockerfile>.dockerignore` next to the Dockerfile wins over the context's (BuildKit's rule). */
async function readDockerIgnore(dir: string, dockerfile: string): Promise<DockerIgnore> {
  for (const file of [`${dockerfile}.dockerignore`, path.join(dir, ".dockerignore")]) {
    try {
      return DockerIgnore.parse(await fsp.readFile(file, "utf8"));
    } catch {
      // not there
    }
  }
  return DockerIgnore.empty();
}

/** Lists the context (sorted) as Docker would send it. .agentcore.json never counts: launch rewrites it every run. */
export async function listContext(dir: string, ignore: DockerIgnore): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  async function walk(relDir: string): Promise<void> {
    const names = (await fsp.readdir(path.join(dir, relDir))).sort();
    for (const name of names) {
      const rel = relDir === "" ? name : `${relDir}/${name}`;
      if (rel === CONFIG_FILE_NAME) continue;
      const abs = path.join(dir, rel);
      const stat = await fsp.lstat(abs);
      const ignored = ignore.ignores(rel);
      if (stat.isDirectory()) {
        // An ignored directory can still hold files a `!` pattern re-includes.
        if (ignored && !ignore.hasExclusions) continue;
        if (!ignored) entries.push({ rel, kind: "dir", mode: stat.mode & 0o777 });
        await walk(rel);
      } else if (!ignored && stat.isSymbolicLink()) {
        entries.push({ rel, kind: "symlink", mode: 0o777, target: await fsp.readlink(abs) });
      } else if (!ignored && stat.isFile()) {
        entries.push({ rel, kind: "file", mode: stat.mode & 0o777 });
      }
    }
  }
  await walk("");
  return entries;
}

export async function readBuildContext(dir: string, dockerfile: string): Promise<BuildContext> {
  const ignore = await readDockerIgnore(dir, dockerfile);
  const entries = await listContext(dir, ignore);
  const lines: string[] = [`platform\0${PLATFORM}`];
  const dockerfileRel = path.relative(dir, dockerfile).split(path.sep).join("/");
  const inside = !dockerfileRel.startsWith("../") && !path.isAbsolute(dockerfileRel);
  lines.push(`dockerfile\0${inside ? dockerfileRel : OUTSIDE_DOCKERFILE_NAME}\0${sha256Hex(await fsp.readFile(dockerfile))}`);
  for (const entry of entries) {
    const digest =
      entry.kind === "file" ? sha256Hex(await fsp.readFile(path.join(dir, entry.rel))) : entry.kind === "symlink" ? entry.target : "";
    // Only the executable bit reaches the image reliably; other mode bits would make the tag machine-dependent.
    const exec = entry.kind === "file" && entry.mode & 0o111 ? "x" : "-";
    lines.push(`${entry.kind}\0${entry.rel}\0${exec}\0${digest}`);
  }
  return {
    dir,
    dockerfile,
    dockerfileInZip: inside ? dockerfileRel : OUTSIDE_DOCKERFILE_NAME,
    entries,
    tag: sha256Hex(lines.join("\n")).slice(0, 16),
  };
}

const ZIP_MTIME = new Date("2020-01-01T00:00:00Z");

/** The context as a zip for CodeBuild (unix modes and symlinks kept; the Dockerfile always included). */
export async function zipBuildContext(context: BuildContext): Promise<Uint8Array> {
  const files: Zippable = {};
  const unix = (mode: number) => ({ os: 3, attrs: mode << 16, mtime: ZIP_MTIME });
  for (const entry of context.entries) {
    if (entry.kind === "dir") {
      files[`${entry.rel}/`] = [new Uint8Array(0), unix(0o040000 | entry.mode)];
    } else if (entry.kind === "symlink") {
      files[entry.rel] = [new TextEncoder().encode(entry.target ?? ""), { ...unix(0o120000 | 0o777), level: 0 }];
    } else {
      files[entry.rel] = [await fsp.readFile(path.join(context.dir, entry.rel)), unix(0o100000 | entry.mode)];
    }
  }
  if (!(context.dockerfileInZip in files)) {
    files[context.dockerfileInZip] = [await fsp.readFile(context.dockerfile), unix(0o100644)];
  }
  return zipSync(files, { level: 6 });
}
