/**
 * The files configure writes: which Dockerfile the agent gets and what happens to it and to
 * .dockerignore, the whole new config checked before anything is written, then the writes
 * (Dockerfile first, config last, undone when the config write fails).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { protocolContract } from "../../config/protocols.js";
import { type AgentConfig, type AgentcoreConfig, configSchema, formatIssuePath } from "../../config/schema.js";
import { assertNoSecrets } from "../../config/secrets.js";
import { updateConfig } from "../../config/store.js";
import { ValidationError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import { writeFileAtomic } from "../../util/fs.js";
import {
  type DockerfilePlan,
  generatedFor,
  planNodeDockerfile,
  readTemplate,
  renderNodeDockerfile,
  renderPythonDockerfile,
} from "./templates.js";
import type { FileAction, FileReport } from "./types.js";

export interface PlannedFile extends FileReport {
  absolute: string;
  content: string;
}

export interface PlannedFiles {
  /** Absent for code agents: only container agents get a Dockerfile. */
  dockerfile?: PlannedFile;
  dockerignore: PlannedFile;
}

/**
 * Which Dockerfile this agent uses and what happens to it. Several agents in one project each get
 * their own: the first `Dockerfile`, a later one `<name>.Dockerfile` when `Dockerfile` was generated
 * for another agent of this config.
 */
export async function planFiles(
  projectDir: string,
  plan: DockerfilePlan,
  config: AgentcoreConfig,
  existing: AgentConfig | undefined,
  force: boolean,
  output: Output,
  deploy: "container" | "code" = "container",
): Promise<PlannedFiles> {
  if (deploy === "code") {
    // The .dockerignore also names what `package` leaves out of the zip.
    const template = plan.language === "python" ? "dockerignore.python" : "dockerignore.node";
    return { dockerignore: await planIgnore(projectDir, template, force, output) };
  }
  let dockerfileName = existing?.dockerfile ?? "Dockerfile";
  if (!existing?.dockerfile) {
    const current = await readIfExists(path.join(projectDir, "Dockerfile"));
    const owner = current === undefined ? undefined : generatedFor(current);
    const ownerAgent = owner === undefined || owner === plan.agentName ? undefined : config.agents[owner];
    if (ownerAgent && (ownerAgent.dockerfile ?? "Dockerfile") === "Dockerfile") dockerfileName = `${plan.agentName}.Dockerfile`;
  }
  let dockerfileContent: string;
  let ignoreTemplate: string;
  if (plan.language === "python") {
    dockerfileContent = renderPythonDockerfile(await readTemplate("Dockerfile.python"), plan);
    ignoreTemplate = "dockerignore.python";
  } else {
    const node = await planNodeDockerfile(projectDir, plan.entrypoint, plan.requirementsFile);
    for (const note of node.notes) output.warn(note);
    dockerfileContent = renderNodeDockerfile(await readTemplate("Dockerfile.node"), plan, node);
    ignoreTemplate = "dockerignore.node";
  }
  const dockerfile = await planFile(projectDir, dockerfileName, dockerfileContent, force);
  if (dockerfile.action === "kept") {
    const current = (await readIfExists(dockerfile.absolute)) ?? "";
    const owner = generatedFor(current);
    dockerfile.note =
      owner === undefined
        ? `your own Dockerfile; make sure it builds a linux/arm64 image serving ${plan.protocol ?? "HTTP"} on port ${protocolContract(plan.protocol).port}`
        : "it differs from what configure would write now; pass --force to regenerate it";
  }
  return { dockerfile, dockerignore: await planIgnore(projectDir, ignoreTemplate, force, output) };
}

async function planIgnore(projectDir: string, ignoreTemplate: string, force: boolean, output: Output): Promise<PlannedFile> {
  const dockerignore = await planFile(projectDir, ".dockerignore", await readTemplate(ignoreTemplate), force);
  if (dockerignore.action === "kept") {
    const current = (await readIfExists(dockerignore.absolute)) ?? "";
    const lines = current.split(/\r?\n/).map((line) => line.trim());
    if (!lines.some((line) => /^(\*\*\/)?\/?\.env\*?$/.test(line))) {
      output.warn(
        `${dockerignore.relative} does not exclude .env: secrets in it would be copied into the image. Add a line ".env" (or pass --force to regenerate the file).`,
      );
    }
  }
  return dockerignore;
}

async function planFile(projectDir: string, relative: string, content: string, force: boolean): Promise<PlannedFile> {
  const absolute = path.join(projectDir, relative);
  const current = await readIfExists(absolute);
  const action: FileAction = current === undefined ? "written" : current === content ? "unchanged" : force ? "overwritten" : "kept";
  return { relative, absolute, content, action };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Applies the change to a copy of the loaded config and validates it exactly as the store will. */
export function precheckConfig(file: string, config: AgentcoreConfig, apply: (config: AgentcoreConfig) => void): void {
  const copy = structuredClone(config);
  apply(copy);
  const parsed = configSchema.safeParse(copy);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
    throw new ValidationError(`The new configuration is invalid: ${issues.join("; ")}.`, { code: "ConfigInvalid", details: { issues } });
  }
  assertNoSecrets(JSON.stringify(parsed.data, null, 2), file);
}

/**
 * Writes the Dockerfile and .dockerignore, then the config. If the config write fails, the files
 * this run wrote are put back as they were, so nothing is left half-configured.
 */
export async function writeAll(
  configFile: string,
  files: PlannedFiles,
  apply: (config: AgentcoreConfig) => void,
): Promise<AgentcoreConfig> {
  const undo: (() => Promise<void>)[] = [];
  try {
    for (const file of [files.dockerfile, files.dockerignore]) {
      if (!file) continue;
      if (file.action !== "written" && file.action !== "overwritten") continue;
      const previous = await readIfExists(file.absolute);
      await writeFileAtomic(file.absolute, file.content);
      undo.push(() => (previous === undefined ? fsp.rm(file.absolute, { force: true }) : writeFileAtomic(file.absolute, previous)));
    }
    return await updateConfig(configFile, apply);
  } catch (error) {
    for (const restore of undo.reverse()) await restore().catch(() => undefined);
    throw error;
  }
}

/** What the summary says about a planned file (not its content). */
export function fileReport(file: PlannedFile): FileReport {
  return { relative: file.relative, action: file.action, ...(file.note ? { note: file.note } : {}) };
}
