import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
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
