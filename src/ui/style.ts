/**
 * Colours. chalk honours NO_COLOR / FORCE_COLOR and TTY detection itself; we add the rule that
 * --json output and non-TTY stderr never carry escape codes.
 */
import chalk, { Chalk, type ChalkInstance } from "chalk";

export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return new Chalk({ level: 0 });
  if (env.FORCE_COLOR !== undefined) return chalk;
  return new Chalk({ level: stream.isTTY ? chalk.level || 1 : 0 });
}
