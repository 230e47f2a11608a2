/**
 * The code artifact of an agent (direct code deployment): a zip and the `entryPoint` the API takes.
 * Node: an esbuild bundle (build/node-bundle.ts). Python: the project's files minus .dockerignore,
 * plus aarch64 wheels of its requirements at the zip's root (build/python-deps.ts); the project's
 * own files win over a dependency's on a clash, as in the starter toolkit.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { type AgentConfig, CODE_RUNTIMES, type CodeRuntime } from "../config/schema.js";
import { ValidationError } from "../errors.js";
import { writeFileAtomic } from "../util/fs.js";
import { type BuiltZip, buildZip, type ZipFile } from "./code-zip.js";
import { listContext } from "./context.js";
import { DockerIgnore } from "./dockerignore.js";
import { bundleNodeAgent, NODE_ENTRY } from "./node-bundle.js";
import { installPythonDeps } from "./python-deps.js";

export interface CodePackage extends BuiltZip {
  runtime: CodeRuntime;
  /** As CodeConfiguration.entryPoint takes it: 1-2 items of 1-128 characters. */
  entryPoint: string[];
  /** Packages carried beside a Node bundle, or the tool that resolved Python wheels. */
  notes: string[];
}

/** The runtime an agent packages for: its configured one, else the language's default. */
export function runtimeFor(agent: AgentConfig): CodeRuntime {
  if (agent.runtime) return agent.runtime;
  return agent.language === "node" ? "NODE_22" : "PYTHON_3_13";
}

export async function buildCodePackage(options: { agent: AgentConfig; projectDir: string; env: NodeJS.ProcessEnv }): Promise<CodePackage> {
  const { agent, projectDir } = options;
  const runtime = runtimeFor(agent);
  if (CODE_RUNTIMES[runtime].language !== agent.language) {
    throw new ValidationError(`Agent ${agent.name} is ${agent.language} but its runtime is ${runtime}.`, {
      hint: "Run `agentcore-ts configure --deploy code --runtime …` with a runtime of the agent's language.",
      code: "InvalidRuntime",
    });
  }
  const entryFile = path.resolve(projectDir, agent.entrypoint);
  if (
    !(await fsp.stat(entryFile).then(
      (s) => s.isFile(),
      () => false,
    ))
  ) {
    throw new ValidationError(`The entrypoint ${agent.entrypoint} of agent ${agent.name} does not exist.`, {
      hint: "Fix it with `agentcore-ts configure --entrypoint <file>`.",
      code: "EntrypointNotFound",
    });
  }
  if (agent.language === "node") {
    const cache = new NodePackageCache(projectDir, agent.name, `${agent.entrypoint}\0${runtime}\0${CACHE_FORMAT}`);
    const cached = await cache.read();
    if (cached) return { ...cached, runtime, entryPoint: [NODE_ENTRY] };
    const bundle = await bundleNodeAgent({ projectDir, entrypoint: agent.entrypoint });
    const notes = bundle.carried.length ? [`carried beside the bundle: ${bundle.carried.join(", ")}`] : [];
    const zip = buildZip(bundle.files);
    await cache.write(bundle.inputs, zip, notes);
    return { ...zip, runtime, entryPoint: [NODE_ENTRY], notes };
  }
  const ignore = await readIgnore(projectDir);
  const entry = agent.entrypoint.split(path.sep).join("/");
  if (ignore.ignores(entry)) {
    throw new ValidationError(`.dockerignore leaves out the entrypoint ${entry}.`, {
      hint: "Remove the pattern that matches it.",
      code: "EntrypointNotFound",
    });
  }
  if (entry.length > 128) {
    throw new ValidationError(
      `The entrypoint path ${entry} is ${entry.length} characters; CodeConfiguration.entryPoint takes at most 128.`,
      {
        hint: "Move the entry file closer to the project root.",
        code: "EntrypointNotFound",
      },
    );
  }
  const files = new Map<string, ZipFile>();
  const notes: string[] = [];
  if (agent.requirementsFile) {
    const deps = await installPythonDeps({ projectDir, requirementsFile: agent.requirementsFile, runtime, env: options.env });
    notes.push(`dependencies: aarch64 wheels via ${deps.tool}${deps.cached ? " (cached)" : ""}`);
    for (const file of await walkFiles(deps.dir)) if (file.path !== ".complete") files.set(file.path, file);
  }
  for (const entryInfo of await listContext(projectDir, ignore)) {
    if (entryInfo.kind !== "file") continue;
    const abs = path.join(projectDir, entryInfo.rel);
    files.set(entryInfo.rel, { path: entryInfo.rel, data: await fsp.readFile(abs), mode: entryInfo.mode });
  }
  return { ...buildZip([...files.values()]), runtime, entryPoint: [entry], notes };
}

/** Bump when the bundle's layout changes: older cached zips are then rebuilt. */
const CACHE_FORMAT = "node-bundle-1";

/**
 * The last Node package of an agent, in .agentcore-ts/cache/ (left out of images and zips by the
 * generated .dockerignore): reused when every file it was built from has the same content, so
 * `package` and `launch` of an unchanged agent skip esbuild. Any import of a new file changes the
 * importing file, so the recorded inputs cover it.
 */
class NodePackageCache {
  private readonly file: string;
  private readonly zipFile: string;

  constructor(
    projectDir: string,
    agentName: string,
    private readonly key: string,
  ) {
    const dir = path.join(projectDir, ".agentcore-ts", "cache");
    this.file = path.join(dir, `${agentName}.node.json`);
    this.zipFile = path.join(dir, `${agentName}.node.zip`);
  }

  async read(): Promise<(BuiltZip & { notes: string[] }) | undefined> {
    try {
      const record = JSON.parse(await fsp.readFile(this.file, "utf8")) as CacheRecord;
      if (record.key !== this.key) return undefined;
      for (const [file, digest] of Object.entries(record.inputs)) if ((await sha256File(file)) !== digest) return undefined;
      const bytes = new Uint8Array(await fsp.readFile(this.zipFile));
      if (createHash("sha256").update(bytes).digest("hex") !== record.sha256) return undefined;
      return { bytes, files: record.files, unzippedBytes: record.unzippedBytes, sha256: record.sha256, notes: record.notes };
    } catch {
      return undefined;
    }
  }

  async write(inputs: string[], zip: BuiltZip, notes: string[]): Promise<void> {
    try {
      const digests: Record<string, string> = {};
      for (const file of inputs) digests[file] = await sha256File(file);
      const record: CacheRecord = {
        key: this.key,
        inputs: digests,
        sha256: zip.sha256,
        files: zip.files,
        unzippedBytes: zip.unzippedBytes,
        notes,
      };
      await fsp.mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.zipFile, zip.bytes, 0o644);
      await writeFileAtomic(this.file, `${JSON.stringify(record)}\n`, 0o644);
    } catch {
      // A cache that cannot be written only costs the next run a rebuild.
    }
  }
}

interface CacheRecord {
  key: string;
  inputs: Record<string, string>;
  sha256: string;
  files: number;
  unzippedBytes: number;
  notes: string[];
}

async function sha256File(file: string): Promise<string> {
  try {
    return createHash("sha256")
      .update(await fsp.readFile(file))
      .digest("hex");
  } catch {
    return "missing";
  }
}

async function readIgnore(dir: string): Promise<DockerIgnore> {
  try {
    return DockerIgnore.parse(await fsp.readFile(path.join(dir, ".dockerignore"), "utf8"));
  } catch {
    return DockerIgnore.empty();
  }
}

async function walkFiles(root: string): Promise<ZipFile[]> {
  const out: ZipFile[] = [];
  async function walk(rel: string): Promise<void> {
    for (const entry of await fsp.readdir(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name === "__pycache__") continue;
        await walk(child);
      } else if (entry.isFile()) {
        const abs = path.join(root, child);
        out.push({ path: child, data: await fsp.readFile(abs), mode: (await fsp.stat(abs)).mode & 0o777 });
      }
    }
  }
  await walk("");
  return out;
}
