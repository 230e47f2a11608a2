/**
 * Colours. chalk honours NO_COLOR / FORCE_COLOR and TTY detection itself; we add the rule that
 * --json output and non-TTY stderr never carry escape codes.
 */
import chalk, { Chalk, type ChalkInstance } from "chalk";

/** Plain text: every colour function returns its input. */
export const noColors: ChalkInstance = new Chalk({ level: 0 });

export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return noColors;
  if (env.FORCE_COLOR !== undefined) return chalk;
  return new Chalk({ level: stream.isTTY ? chalk.level || 1 : 0 });
}
