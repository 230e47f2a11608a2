import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UsageError } from "../errors.js";
import { closestMatch } from "../util/suggest.js";
import { nonEmpty } from "../util/text.js";

/** The region of a profile in the shared config file (AWS_CONFIG_FILE or ~/.aws/config), if any. */
export async function profileRegion(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const file = env.AWS_CONFIG_FILE ?? path.join(os.homedir(), ".aws", "config");
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const wanted = profile ?? env.AWS_PROFILE ?? "default";
  let section: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/[;#].*$/, "").trim();
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    const kv = /^region\s*=\s*(\S+)$/.exec(line);
    if (kv && section === wanted) return kv[1];
  }
  return undefined;
}

/** The profiles named in the shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
export async function profileNames(env: NodeJS.ProcessEnv = process.env): Promise<{ names: string[]; files: string[] }> {
  const config = env.AWS_CONFIG_FILE ?? path.join(os.homedir(), ".aws", "config");
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(os.homedir(), ".aws", "credentials");
  const names = new Set<string>();
  for (const [file, isConfig] of [
    [config, true],
    [credentials, false],
  ] as const) {
    const text = await fsp.readFile(file, "utf8").catch(() => "");
    for (const rawLine of text.split(/\r?\n/)) {
      const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(rawLine);
      if (!header) continue;
      // In the config file a profile is "[profile name]" or "[default]"; "[sso-session x]" and "[services x]" are not profiles.
      const name = header[1]!;
      if (!isConfig) names.add(name);
      else if (name === "default") names.add(name);
      else if (/^profile\s+/.test(name)) names.add(name.replace(/^profile\s+/, ""));
    }
  }
  return { names: [...names].sort(), files: [config, credentials] };
}

/**
 * Fails with one sentence when --profile names a profile neither shared file defines: the SDK would
 * otherwise print its own multi-line warning and report "Could not load credentials" instead.
 */
export async function checkProfileExists(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { names, files } = await profileNames(env);
  if (names.includes(profile)) return;
  const match = closestMatch(profile, names);
  throw new UsageError(`The AWS profile "${profile}" (--profile) does not exist: ${files.join(" and ")} do not define it.`, {
    hint: `${match ? `Did you mean "${match}"? ` : ""}${names.length > 0 ? `Profiles there: ${names.join(", ")}.` : "There are no profiles there: run `aws configure --profile <name>` or `aws configure sso`."}`,
    code: "ProfileNotFound",
  });
}

export interface RegionSources {
  flag?: string;
  profile?: string;
  configRegion?: string;
  env?: NodeJS.ProcessEnv;
}

/** --region, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region, else the value in .agentcore.json. */
export async function resolveRegion(sources: RegionSources): Promise<string | undefined> {
  const env = sources.env ?? process.env;
  return (
    nonEmpty(sources.flag) ??
    nonEmpty(env.AWS_REGION) ??
    nonEmpty(env.AWS_DEFAULT_REGION) ??
    (await profileRegion(sources.profile, env)) ??
    nonEmpty(sources.configRegion)
  );
}
