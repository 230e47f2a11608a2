/**
 * Container engine detection: docker, finch or podman. Tells apart "binary missing", "daemon
 * unreachable" and "permission denied" and keeps the engine's own stderr (starter toolkit issues
 * #312/#42: a permission problem reported as "Docker is not installed").
 */
import { spawn } from "node:child_process";
import { constants, promises as fsp } from "node:fs";
import path from "node:path";

export type EngineName = "docker" | "finch" | "podman";
export const ENGINE_NAMES: readonly EngineName[] = ["docker", "finch", "podman"];

export type EngineProblem = "missing" | "unreachable" | "permission-denied" | "error";

export interface EngineProbe {
  engine: EngineName;
  /** Absolute path of the binary, when found on PATH. */
  binary?: string;
  ok: boolean;
  problem?: EngineProblem;
  /** The engine's stderr (trimmed), when it ran and failed. */
  stderr?: string;
}

export type EngineDetection =
  | { available: true; engine: EngineName; binary: string; probes: EngineProbe[] }
  | { available: false; probes: EngineProbe[] };

const PROBE_TIMEOUT_MS = 10_000;

/** Looks a command up on PATH like a shell does (first executable match). */
export async function findOnPath(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, command);
    try {
      const stat = await fsp.stat(candidate);
      if (!stat.isFile()) continue;
      await fsp.access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Classifies an engine's failure output. */
export function classifyEngineFailure(stderr: string): EngineProblem {
  const text = stderr.toLowerCase();
  if (text.includes("permission denied") || text.includes("eacces") || text.includes("operation not permitted")) return "permission-denied";
  if (
    text.includes("cannot connect") ||
    text.includes("is the docker daemon running") ||
    text.includes("connection refused") ||
    text.includes("no such file or directory") ||
    text.includes("not running") ||
    text.includes("unable to connect") ||
    text.includes("failed to connect") ||
    text.includes("finch vm") ||
    text.includes("podman machine")
  ) {
    return "unreachable";
  }
  return "error";
}

function runProbe(binary: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, ["info"], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      stderr += `\n(timed out after ${PROBE_TIMEOUT_MS / 1000}s)`;
    }, PROBE_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, stderr: error.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.trim() });
    });
  });
}

/** Probes one engine: is the binary on PATH, and does `<engine> info` reach its daemon/VM? */
export async function probeEngine(engine: EngineName, env: NodeJS.ProcessEnv): Promise<EngineProbe> {
  const binary = await findOnPath(engine, env);
  if (!binary) return { engine, ok: false, problem: "missing" };
  const { code, stderr } = await runProbe(binary, env);
  if (code === 0) return { engine, binary, ok: true };
  return { engine, binary, ok: false, problem: classifyEngineFailure(stderr), stderr: stderr.slice(0, 2000) };
}

/**
 * The first reachable engine in order docker, finch, podman (AGENTCORE_TS_CONTAINER_ENGINE picks one,
 * or "none" to use none).
 * Probes run one after another and stop at the first that works.
 */
export async function detectEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineDetection> {
  const wanted = env.AGENTCORE_TS_CONTAINER_ENGINE as EngineName | "none" | undefined;
  // "none": never use an engine (CodeBuild for `launch`, a plain process for `launch --local`).
  if (wanted === "none") return { available: false, probes: [] };
  const order = wanted && ENGINE_NAMES.includes(wanted) ? [wanted] : ENGINE_NAMES;
  const probes: EngineProbe[] = [];
  for (const engine of order) {
    const probe = await probeEngine(engine, env);
    probes.push(probe);
    if (probe.ok && probe.binary) return { available: true, engine, binary: probe.binary, probes };
  }
  return { available: false, probes };
}

/** One line per engine that was found but failed, e.g. "docker: daemon unreachable: Cannot connect to ...". */
export function describeProbes(probes: EngineProbe[]): string {
  if (probes.length === 0) return "container engines are turned off (AGENTCORE_TS_CONTAINER_ENGINE=none)";
  const found = probes.filter((p) => p.problem !== "missing");
  if (found.length === 0) return `no container engine found on PATH (looked for ${probes.map((p) => p.engine).join(", ")})`;
  return found
    .map((p) => {
      const what = p.problem === "permission-denied" ? "permission denied" : p.problem === "unreachable" ? "daemon unreachable" : "failed";
      const firstLine = (p.stderr ?? "").split("\n").find((l) => l.trim() !== "") ?? "";
      return `${p.engine} (${p.binary}): ${what}${firstLine ? `: ${firstLine.trim()}` : ""}`;
    })
    .join("; ");
}

/** The fix for a failed probe. */
export function engineHint(probes: EngineProbe[]): string | undefined {
  if (probes.some((p) => p.problem === "permission-denied")) {
    return "Add your user to the engine's group (e.g. `sudo usermod -aG docker $USER`, then log in again), or use rootless podman.";
  }
  if (probes.some((p) => p.problem === "unreachable"))
    return "Start the engine (e.g. `sudo systemctl start docker`, `finch vm start`, `podman machine start`).";
  return undefined;
}
