/**
 * Region precedence (issue 2): --region, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
 * region in the shared config file, else the value in .agentcore.json. Through resolveRegion and
 * through the CommandContext that every command gets (where --profile beats AWS_PROFILE).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveRegion } from "../../src/aws/region.js";
import { createContext } from "../../src/core/context.js";
import { MemoryOutput } from "../../src/ui/output.js";
import { NonInteractivePrompter } from "../../src/ui/prompts.js";
import { tempDir } from "../support/cli.js";

let configFile: string;

beforeAll(async () => {
  configFile = path.join(tempDir(), "config");
  await fsp.writeFile(
    configFile,
    [
      "[default]",
      "region = ap-south-1",
      "",
      "# a comment; region = xx-nowhere-1",
      "[profile dev]",
      "output = json",
      "region=sa-east-1 ; trailing comment",
      "[profile noregion]",
      "output = json",
    ].join("\n"),
  );
});

const envWith = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ AWS_CONFIG_FILE: configFile, ...extra });

describe("resolveRegion", () => {
  const all = { AWS_REGION: "us-west-1", AWS_DEFAULT_REGION: "eu-north-1" };

  it("takes each source in order: flag, AWS_REGION, AWS_DEFAULT_REGION, profile, .agentcore.json", async () => {
    const sources = { profile: "dev", configRegion: "ca-central-1" };
    expect(await resolveRegion({ ...sources, flag: "eu-west-3", env: envWith(all) })).toBe("eu-west-3");
    expect(await resolveRegion({ ...sources, env: envWith(all) })).toBe("us-west-1");
    expect(await resolveRegion({ ...sources, env: envWith({ AWS_DEFAULT_REGION: "eu-north-1" }) })).toBe("eu-north-1");
    expect(await resolveRegion({ ...sources, env: envWith() })).toBe("sa-east-1");
    expect(await resolveRegion({ ...sources, env: { AWS_CONFIG_FILE: "/nonexistent/config" } })).toBe("ca-central-1");
    expect(await resolveRegion({ env: { AWS_CONFIG_FILE: "/nonexistent/config" } })).toBeUndefined();
  });

  it("blank values do not count", async () => {
    expect(
      await resolveRegion({
        flag: " ",
        configRegion: "ca-central-1",
        env: { AWS_REGION: "", AWS_DEFAULT_REGION: " ", AWS_CONFIG_FILE: "/nonexistent" },
      }),
    ).toBe("ca-central-1");
  });

  it("the profile comes from the argument, else AWS_PROFILE, else [default]; a profile without a region falls through", async () => {
    expect(await resolveRegion({ env: envWith() })).toBe("ap-south-1");
    expect(await resolveRegion({ env: envWith({ AWS_PROFILE: "dev" }) })).toBe("sa-east-1");
    expect(await resolveRegion({ profile: "dev", env: envWith({ AWS_PROFILE: "noregion" }) })).toBe("sa-east-1");
    expect(await resolveRegion({ profile: "noregion", configRegion: "ca-central-1", env: envWith() })).toBe("ca-central-1");
  });
});

describe("CommandContext.region", () => {
  const context = (globals: { region?: string; profile?: string }, env: NodeJS.ProcessEnv) =>
    createContext({
      cwd: tempDir(),
      env,
      globals: { ...globals, json: false, verbose: false, nonInteractive: true },
      output: new MemoryOutput(),
      prompter: new NonInteractivePrompter(),
      stdin: process.stdin,
    });

  it("--profile beats AWS_PROFILE, --region beats everything, and the AWS factory gets the same region and profile", async () => {
    expect(await context({ profile: "dev" }, envWith({ AWS_PROFILE: "noregion" })).region("ca-central-1")).toBe("sa-east-1");
    expect(await context({}, envWith({ AWS_PROFILE: "noregion" })).region("ca-central-1")).toBe("ca-central-1");
    const aws = await context({ region: "eu-west-3", profile: "dev" }, envWith({ AWS_REGION: "us-west-1" })).aws("ca-central-1");
    expect(aws.region).toBe("eu-west-3");
    expect(aws.profile).toBe("dev");
  });
});
