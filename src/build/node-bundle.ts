/**
 * A Node agent's code package: the entrypoint compiled and bundled by esbuild into one ESM file,
 * `main.js`, next to a `package.json` that makes it a module, so it runs with plain `node main.js`
 * (the NODE_22 runtime's entry file; developer guide: runtime-get-started-code-deploy-node allows
 * "an esbuild-bundled single .js file"). What a bundle cannot hold is carried beside it in
 * `node_modules/`, with its own production dependencies:
 * - packages loaded through `createRequire(import.meta.url)` (esbuild cannot see those requires;
 *   e.g. bedrock-agentcore's runtime loads @fastify/sse that way, aws/bedrock-agentcore-sdk-typescript#172);
 * - native packages that ship a linux-arm64 prebuild (node-gyp-build / prebuildify layout).
 * A native package without a linux-arm64 build is refused: it could not load on the runtime.
 */
import { promises as fsp } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { AgentcoreError, ValidationError } from "../errors.js";
import type { ZipFile } from "./code-zip.js";

export const NODE_ENTRY = "main.js";

export interface NodeBundle {
  files: ZipFile[];
  /** Packages carried beside the bundle (name@version), for the summary. */
  carried: string[];
  /** Every source file the zip was made from (absolute): unchanged contents mean an unchanged zip. */
  inputs: string[];
  warnings: string[];
}

/** The requires a createRequire'd `require` makes with a bare package name. */
const CREATE_REQUIRE = /\bcreateRequire\b/;
const BARE_REQUIRE = /\brequire\(\s*["'`]((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*)(?:\/[^"'`]*)?["'`]\s*\)/gi;

/**
 * esbuild's ESM output turns a CommonJS dependency's require() of a built-in into a shim that
 * throws unless a `require` exists in scope: the banner provides one, resolved from main.js.
 */
const BANNER =
  'import { createRequire as __agentcoreTsCreateRequire } from "node:module";\nconst require = __agentcoreTsCreateRequire(import.meta.url);';

export async function bundleNodeAgent(options: { projectDir: string; entrypoint: string }): Promise<NodeBundle> {
  const entry = path.resolve(options.projectDir, options.entrypoint);
  const esbuild = await import("esbuild");
  const plugin: import("esbuild").Plugin = {
    name: "agentcore-ts-carry",
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) => ({
        errors: [{ text: `native addon ${args.path} (imported by ${path.relative(options.projectDir, args.importer)}) cannot be bundled` }],
      }));
    },
  };
  let result: import("esbuild").BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      target: "node22",
      format: "esm",
      outfile: path.join(options.projectDir, NODE_ENTRY),
      write: false,
      metafile: true,
      banner: { js: BANNER },
      // The AWS SDK v3 is not on the NODE_22 runtime's path as far as AWS documents: bundle it too.
      logLevel: "silent",
      legalComments: "none",
      plugins: [plugin],
      absWorkingDir: options.projectDir,
    });
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const native = errors.find((e) => e.text.startsWith("native addon"));
    if (native) {
      throw new ValidationError(`Cannot package ${options.entrypoint}: ${native.text}.`, {
        hint: "Native modules must be loaded through a package that ships a linux-arm64 prebuild; otherwise deploy a container image (configure --deploy container).",
        code: "NativeModuleUnsupported",
      });
    }
    const lines = errors.slice(0, 5).map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text));
    throw new AgentcoreError(`esbuild could not bundle ${options.entrypoint}: ${lines.join("; ") || String(error)}`, {
      hint: "Fix the import named above (is the dependency installed? run npm install), then package again.",
      code: "BundleFailed",
    });
  }
  const output = result.outputFiles.find((f) => f.path.endsWith(NODE_ENTRY));
  if (!output) throw new AgentcoreError("esbuild produced no output.", { code: "BundleFailed" });
  const files: ZipFile[] = [
    { path: NODE_ENTRY, data: output.contents, mode: 0o644 },
    {
      path: "package.json",
      data: new TextEncoder().encode(`${JSON.stringify({ type: "module", main: NODE_ENTRY }, null, 2)}\n`),
      mode: 0o644,
    },
  ];

  // Requires through createRequire, which esbuild leaves to run time: found in the inputs it read
  // (scanned here rather than in an onLoad hook, which would make esbuild call back for every file).
  const dynamic = new Map<string, string>(); // package name -> a file that requires it
  for (const input of Object.keys(result.metafile.inputs)) {
    if (!/[\\/]node_modules[\\/]/.test(input)) continue;
    const file = path.resolve(options.projectDir, input);
    const contents = await fsp.readFile(file, "utf8").catch(() => "");
    if (!CREATE_REQUIRE.test(contents)) continue;
    for (const match of contents.matchAll(BARE_REQUIRE)) {
      const name = match[1]!;
      if (!name.startsWith("node:") && !BUILTINS.has(name)) dynamic.set(name, file);
    }
  }

  // Native packages among the bundle's inputs: carried when they have a linux-arm64 build.
  const carry = new Map<string, string>(); // package dir -> why
  for (const input of Object.keys(result.metafile.inputs)) {
    const dir = packageDirOf(path.resolve(options.projectDir, input));
    if (!dir || carry.has(dir)) continue;
    const native = await nativeKind(dir);
    if (native === "arm64") carry.set(dir, "native");
    else if (native === "missing") {
      throw new ValidationError(
        `${await packageLabel(dir)} is a native module with no linux-arm64 build, so it cannot load on AgentCore Runtime (arm64).`,
        {
          hint: "Use a package that ships linux-arm64 prebuilds (prebuilds/linux-arm64), or deploy a container image, which compiles it for arm64 (configure --deploy container).",
          code: "NativeModuleUnsupported",
        },
      );
    }
  }
  for (const [name, from] of dynamic) {
    const dir = await resolvePackageDir(name, path.dirname(from));
    if (dir) carry.set(dir, "createRequire");
  }
  const carried: string[] = [];
  const placed = new Map<string, string>(); // zip dir -> package dir
  for (const dir of carry.keys()) await place(dir, "node_modules", placed, carried);
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(options.projectDir, input));
  for (const [zipDir, dir] of placed) {
    const carriedFiles = await packageFiles(dir, zipDir);
    files.push(...carriedFiles);
    inputs.push(...carriedFiles.map((f) => path.join(dir, f.path.slice(zipDir.length + 1))));
  }
  return { files, carried: carried.sort(), inputs, warnings: [] };
}

/** Puts a package (and, recursively, its production dependencies) under `parent`, hoisted where no other version sits. */
async function place(dir: string, parent: string, placed: Map<string, string>, carried: string[]): Promise<void> {
  const pkg = await readPackageJson(dir);
  const name = pkg.name ?? path.basename(dir);
  let zipDir = `node_modules/${name}`;
  const taken = placed.get(zipDir);
  if (taken === dir) return;
  if (taken !== undefined) zipDir = `${parent}/${name}`;
  if (placed.get(zipDir) === dir) return;
  placed.set(zipDir, dir);
  carried.push(`${name}@${pkg.version ?? "?"}`);
  const deps = { ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) };
  for (const dep of Object.keys(deps)) {
    const depDir = await resolvePackageDir(dep, dir);
    // An optional dependency for another platform is simply not installed.
    if (depDir) await place(depDir, `${zipDir}/node_modules`, placed, carried);
  }
}

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  try {
    return JSON.parse(await fsp.readFile(path.join(dir, "package.json"), "utf8")) as PackageJson;
  } catch {
    return {};
  }
}

async function packageLabel(dir: string): Promise<string> {
  const pkg = await readPackageJson(dir);
  return `${pkg.name ?? path.basename(dir)}@${pkg.version ?? "?"}`;
}

/** Node's lookup: node_modules/<name> in `from` and each parent. */
async function resolvePackageDir(name: string, from: string): Promise<string | undefined> {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, "node_modules", name);
    try {
      if ((await fsp.stat(path.join(candidate, "package.json"))).isFile()) return await fsp.realpath(candidate);
    } catch {
      // keep looking
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The package directory a node_modules file belongs to. */
function packageDirOf(file: string): string | undefined {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf("node_modules");
  if (at === -1 || at + 1 >= parts.length) return undefined;
  const scoped = parts[at + 1]!.startsWith("@");
  return parts.slice(0, at + (scoped ? 3 : 2)).join(path.sep);
}

/** none: plain JS; arm64: ships a linux-arm64 build; missing: native without one. */
async function nativeKind(dir: string): Promise<"none" | "arm64" | "missing"> {
  const has = (rel: string) =>
    fsp.stat(path.join(dir, rel)).then(
      () => true,
      () => false,
    );
  const gyp = await has("binding.gyp");
  const prebuilds = await fsp.readdir(path.join(dir, "prebuilds")).catch(() => undefined);
  if (!gyp && !prebuilds) return "none";
  if (prebuilds?.some((p) => p.startsWith("linux-arm64"))) return "arm64";
  return "missing";
}

/** Every file of a carried package except its own node_modules (placed separately) and docs/tests that never load. */
async function packageFiles(dir: string, zipDir: string): Promise<ZipFile[]> {
  const out: ZipFile[] = [];
  async function walk(rel: string): Promise<void> {
    for (const entry of await fsp.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" && rel === "") continue;
        await walk(child);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const abs = path.join(dir, child);
        const stat = await fsp.stat(abs).catch(() => undefined);
        if (!stat?.isFile()) continue;
        out.push({ path: `${zipDir}/${child}`, data: await fsp.readFile(abs), mode: stat.mode & 0o777 });
      }
    }
  }
  await walk("");
  return out;
}

const BUILTINS = new Set(builtinModules);
