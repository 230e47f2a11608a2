/**
 * `configure --set-default NAME`: makes NAME the default agent (what commands without --agent act on) and
 * changes nothing else. The rule it overrides, the first agent configured stays the default, is in
 * docs/configuration.md ("The default agent").
 */
import { type LoadedConfig, requireConfig, selectAgent, updateConfig } from "../../config/store.js";
import { UsageError } from "../../errors.js";
import type { SetDefaultResult } from "./types.js";

export async function setDefaultAgent(
  name: string,
  ctx: { cwd: string; env?: NodeJS.ProcessEnv },
  otherFlags: readonly string[] = [],
): Promise<SetDefaultResult> {
  if (otherFlags.length > 0) {
    throw new UsageError(`--set-default changes only the default agent; it cannot be combined with ${otherFlags.join(", ")}.`, {
      hint: "Run `agentcore-ts configure --set-default NAME` on its own, and configure the agent in a separate call.",
      code: "ConflictingFlags",
    });
  }
  const loaded: LoadedConfig = await requireConfig(ctx.cwd, ctx.env);
  // Fails naming the known agents when NAME is not one of them.
  selectAgent(loaded, name);
  const previous = loaded.config.defaultAgent ?? null;
  if (previous !== name) {
    await updateConfig(loaded.file, (config) => {
      config.defaultAgent = name;
    });
  }
  return { configFile: loaded.file, defaultAgent: name, previous, changed: previous !== name };
}
