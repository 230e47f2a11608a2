/**
 * The Dockerfile and .dockerignore `configure` writes: templates/ rendered with a tiny renderer
 * (`{{name}}` values, `{{#flag}}…{{/flag}}` and `{{^flag}}…{{/flag}}` line sections), and the facts
 * about the agent's project that fill them (Python module path, Node package dir, lockfile, build).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { protocolContract, type ServerProtocol } from "../../config/protocols.js";
import { ValidationError } from "../../errors.js";
import { packageRoot } from "../../util/paths.js";
import { isFile, type Language } from "./validate.js";

/** templates/ at the package root. */
export const TEMPLATES_DIR = packageRoot("templates");

export type TemplateValues = Record<string, string | boolean>;

/**
 * Renders a template. Section markers stand on their own lines; a value referenced but not given is
 * a programming error and throws, so a template and its caller cannot drift apart silently.
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  const out: string[] = [];
  const open: { key: string; show: boolean }[] = [];
  for (const line of template.split("\n")) {
    const marker = /^\{\{([#^/])([A-Za-z][A-Za-z0-9_]*)\}\}\s*$/.exec(line);
    if (marker) {
      const [, kind, key] = marker;
      if (kind === "/") {
        const top = open.pop();
        if (!top || top.key !== key) throw new Error(`Template section {{/${key}}} closes ${top ? `{{#${top.key}}}` : "nothing"}`);
      } else {
        if (!(key in values)) throw new Error(`Template section {{${kind}${key}}} has no value`);
        open.push({ key, show: kind === "#" ? Boolean(values[key]) : !values[key] });
      }
      continue;
    }
    if (open.some((section) => !section.show)) continue;
    out.push(
      line.replace(/\{\{([A-Za-z][A-Za-z0-9_]*)\}\}/g, (_, key: string) => {
        const value = values[key];
        if (typeof value !== "string") throw new Error(`Template value {{${key}}} is missing`);
        return value;
      }),
    );
  }
  if (open.length > 0) throw new Error(`Template section {{#${open[open.length - 1]!.key}}} is not closed`);
  return out.join("\n");
}

export async function readTemplate(name: string): Promise<string> {
  return fsp.readFile(path.join(TEMPLATES_DIR, name), "utf8");
}

/** What the Dockerfile needs to know about the agent, all paths relative to the build context (posix). */
export interface DockerfilePlan {
  agentName: string;
  language: Language;
  entrypoint: string;
  /** requirements.txt / pyproject.toml (python) or package.json (node); null when there is none. */
  requirementsFile: string | null;
  /** The server protocol: which port the image exposes (default HTTP). */
  protocol?: ServerProtocol;
}

/** The Dockerfile values every template shares: the protocol's port and what it serves there. */
function protocolValues(plan: DockerfilePlan): TemplateValues {
  const contract = protocolContract(plan.protocol);
  return { protocol: plan.protocol ?? "HTTP", port: String(contract.port), serves: contract.summary };
}

/** A Dockerfile CMD in exec form. */
function execForm(args: string[]): string {
  return JSON.stringify(args).replace(/","/g, '", "');
}

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `python -m agents.writer.main` when every path segment is an identifier (imports resolve from /app), else the file. */
export function pythonCommand(entrypoint: string): string[] {
  const segments = entrypoint.replace(/\.py$/, "").split("/");
  const run = segments.every((segment) => PYTHON_IDENTIFIER.test(segment)) ? ["-m", segments.join(".")] : [entrypoint];
  return ["opentelemetry-instrument", "python", ...run];
}

export function renderPythonDockerfile(template: string, plan: DockerfilePlan): string {
  return renderTemplate(template, {
    ...protocolValues(plan),
    agentName: plan.agentName,
    entrypoint: plan.entrypoint,
    requirements: plan.requirementsFile !== null,
    requirementsFile: plan.requirementsFile ?? "",
    command: execForm(pythonCommand(plan.entrypoint)),
  });
}

/** How the Dockerfile of a Node agent installs, builds and starts it inside the image. */
export interface NodeDockerfilePlan {
  /** The package directory relative to the build context, "" for the root. */
  appDir: string;
  lockfile: boolean;
  build: boolean;
  /** The CMD, relative to the package directory (the image's /app). */
  command: string[];
  /** Things the user should know (e.g. no lockfile), printed as warnings. */
  notes: string[];
}

interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** tsconfig.json is JSON with comments and trailing commas; strip both (outside strings) before parsing. */
export function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const match = end.exec(text);
      const literal = match ? match[0] : text.slice(i);
      out += literal;
      i += literal.length - 1;
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (ch === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 1;
    } else {
      out += ch;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

async function readJson(file: string, jsonc = false): Promise<unknown> {
  const text = await fsp.readFile(file, "utf8");
  return jsonc ? parseJsonc(text) : JSON.parse(text);
}

/**
 * Plans a Node agent's Dockerfile from package.json (next to the entrypoint or above it): `npm ci` with a
 * lockfile, `npm run build` when there is a build script, and a CMD that runs the built file
 * (tsconfig outDir/rootDir) or the TypeScript source through tsx when tsx is a runtime dependency.
 */
export async function planNodeDockerfile(projectDir: string, entrypoint: string, packageJson: string | null): Promise<NodeDockerfilePlan> {
  const notes: string[] = [];
  const isTypeScript = /\.(ts|mts|cts)$/.test(entrypoint);
  if (packageJson === null) {
    throw new ValidationError(
      `No package.json found for the Node entrypoint ${entrypoint} (looked next to it and in each directory up to the project root).`,
      {
        hint: "Create package.json next to the entrypoint (npm init -y; npm install bedrock-agentcore), or pass --requirements-file <path/to/package.json>.",
        code: "NoPackageJson",
      },
    );
  }
  const appDir = path.posix.dirname(packageJson) === "." ? "" : path.posix.dirname(packageJson);
  const inApp = appDir === "" ? entrypoint : path.posix.relative(appDir, entrypoint);
  if (inApp.startsWith("..")) {
    throw new ValidationError(`The entrypoint ${entrypoint} is outside the package directory of ${packageJson}.`, {
      hint: "Pass a --requirements-file package.json whose directory contains the entrypoint.",
      code: "EntrypointOutsidePackage",
    });
  }
  let pkg: PackageJson;
  try {
    pkg = (await readJson(path.join(projectDir, packageJson))) as PackageJson;
  } catch (error) {
    throw new ValidationError(`Cannot read ${packageJson}: ${(error as Error).message}.`, {
      hint: "Fix package.json, then re-run configure.",
      code: "InvalidPackageJson",
    });
  }
  const lockfile = await isFile(path.join(projectDir, appDir, "package-lock.json"));
  if (!lockfile)
    notes.push(
      `${appDir ? `${appDir}/` : ""}package-lock.json is missing: the image runs \`npm install\` instead of \`npm ci\`; commit a lockfile for reproducible builds.`,
    );
  const build = typeof pkg.scripts?.build === "string";
  if (!isTypeScript) return { appDir, lockfile, build, command: ["node", inApp], notes };

  if (build) {
    let compilerOptions: { outDir?: string; rootDir?: string } = {};
    try {
      compilerOptions =
        ((await readJson(path.join(projectDir, appDir, "tsconfig.json"), true)) as { compilerOptions?: typeof compilerOptions })
          .compilerOptions ?? {};
    } catch {
      // no or unreadable tsconfig.json: fall back to the conventional layout below
    }
    const outDir = compilerOptions.outDir ?? "dist";
    if (!compilerOptions.outDir) notes.push(`tsconfig.json sets no outDir: the Dockerfile assumes the build writes to ${outDir}/.`);
    const rootDir = compilerOptions.rootDir ?? (inApp.startsWith("src/") ? "src" : ".");
    const compiled = path.posix
      .normalize(path.posix.join(outDir, path.posix.relative(rootDir, inApp)))
      .replace(/\.ts$/, ".js")
      .replace(/\.mts$/, ".mjs")
      .replace(/\.cts$/, ".cjs");
    return { appDir, lockfile, build, command: ["node", compiled], notes };
  }
  if (pkg.dependencies?.tsx) return { appDir, lockfile, build, command: ["node", "--import", "tsx", inApp], notes };
  throw new ValidationError(
    `Cannot tell how to run ${entrypoint} in the image: ${packageJson} has no build script and tsx is not in its dependencies.`,
    {
      hint: `Add "build": "tsc" (with outDir in tsconfig.json) to the scripts of ${packageJson}, or add tsx to its dependencies.`,
      code: "NoNodeBuild",
    },
  );
}

export function renderNodeDockerfile(template: string, plan: DockerfilePlan, node: NodeDockerfilePlan): string {
  const prefix = node.appDir ? `${node.appDir}/` : "";
  const packageFiles = node.lockfile ? `${prefix}package.json ${prefix}package-lock.json` : `${prefix}package.json`;
  return renderTemplate(template, {
    ...protocolValues(plan),
    agentName: plan.agentName,
    entrypoint: plan.entrypoint,
    packageFiles,
    install: node.lockfile ? "npm ci" : "npm install",
    appSource: node.appDir ? `${node.appDir}/` : ".",
    build: node.build,
    command: execForm(node.command),
  });
}

/** The agent a Dockerfile was generated for (from its first line), or undefined for a hand-written one. */
export function generatedFor(dockerfile: string): string | undefined {
  return /^# Generated by agentcore-ts configure for agent "([^"]+)"/.exec(dockerfile)?.[1];
}
