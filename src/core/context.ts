/**
 * What every command gets: the resolved global flags, the output sink, the prompter, the AWS
 * client factory and the environment. Built once per invocation by `run` (src/cli/run.ts);
 * operations receive the pieces they need, so tests can drive them without a terminal.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { AwsClients } from "../aws/clients.js";
import { checkProfileExists, resolveRegion } from "../aws/region.js";
import type { Output } from "../ui/output.js";
import type { Prompter } from "../ui/prompts.js";
import { nonEmpty } from "../util/text.js";

export interface GlobalOptions {
  region?: string;
  profile?: string;
  json: boolean;
  verbose: boolean;
  nonInteractive: boolean;
}

/**
 * What a command hands back to the CLI layer (src/cli/run.ts): its plain result, which `--json` prints
 * as the one JSON document on stdout, and the printer (the command's print.ts) that renders the same
 * value as human text otherwise.
 */
export interface CommandOutcome<R = unknown> {
  result?: R;
  print?: (result: R, output: Output) => void;
  /** Non-zero for "ran fine, but the answer is no" (e.g. token verify: the token would be rejected). */
  exitCode?: number;
}

/** A result with its printer, typed together so the printer cannot be handed the wrong value. */
export function outcome<R>(result: R, print: (result: R, output: Output) => void, exitCode?: number): CommandOutcome<R> {
  return exitCode === undefined ? { result, print } : { result, print, exitCode };
}

export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  output: Output;
  prompter: Prompter;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** AWS clients for the resolved region (--region, env, profile, then `configRegion`). */
  aws(configRegion?: string): Promise<AwsClients>;
  /** The region as resolved (--region, AWS_REGION, AWS_DEFAULT_REGION, profile, then `configRegion`). */
  region(configRegion?: string): Promise<string | undefined>;
  /** Key/values of the .env file in `dir` (default: cwd); never written into process.env. */
  dotenv(dir?: string): Promise<Record<string, string>>;
}

export function createContext(parts: Omit<CommandContext, "aws" | "region" | "dotenv">): CommandContext {
  const profile = parts.globals.profile ?? nonEmpty(parts.env.AWS_PROFILE);
  // Only the flag is checked: with AWS_PROFILE set, the SDK still takes credentials from the environment first.
  const flagProfile = parts.globals.profile;
  const profileChecked = flagProfile === undefined ? undefined : checkProfileExists(flagProfile, parts.env);
  // Handled where it is awaited (region/aws); this keeps an unawaited rejection from crashing the process.
  profileChecked?.catch(() => {});
  const checkProfile = async () => profileChecked;
  const region = async (configRegion?: string) => {
    await checkProfile();
    return resolveRegion({ flag: parts.globals.region, profile, configRegion, env: parts.env });
  };
  return {
    ...parts,
    region,
    async aws(configRegion?: string) {
      return new AwsClients({ region: await region(configRegion), profile });
    },
    async dotenv(dir?: string) {
      const file = path.join(dir ?? parts.cwd, ".env");
      let text: string;
      try {
        text = await fsp.readFile(file, "utf8");
      } catch {
        return {};
      }
      const { parse } = await import("dotenv");
      return parse(text);
    },
  };
}
