/**
 * `agentcore-ts package`: builds the agent's code artifact (the zip `launch` uploads for a code
 * deployment) on this machine, without AWS, and writes it to a file.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { buildCodePackage } from "../../build/code-package.js";
import { requireConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { writeFileAtomic } from "../../util/fs.js";
import type { PackageInputs, PackageResult } from "./types.js";

export type { PackageInputs, PackageResult } from "./types.js";

export async function packageAgent(inputs: PackageInputs, ctx: Pick<CommandContext, "cwd" | "env" | "output">): Promise<PackageResult> {
  const loaded = await requireConfig(ctx.cwd, ctx.env);
  const agent = selectAgent(loaded, inputs.agentName);
  const built = await ctx.output.task(
    `Packaging ${agent.name} (${agent.language === "node" ? "esbuild bundle" : "source + aarch64 wheels"})`,
    async (progress) => {
      const pkg = await buildCodePackage({ agent, projectDir: loaded.dir, env: ctx.env });
      progress(`${pkg.files} files`);
      return pkg;
    },
  );
  const file = inputs.out ? path.resolve(ctx.cwd, inputs.out) : path.join(loaded.dir, ".agentcore-ts", `${agent.name}.zip`);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, built.bytes, 0o644);
  return {
    agent: agent.name,
    path: file,
    bytes: built.bytes.byteLength,
    unzippedBytes: built.unzippedBytes,
    files: built.files,
    sha256: built.sha256,
    runtime: built.runtime,
    entryPoint: built.entryPoint,
    notes: built.notes,
  };
}
