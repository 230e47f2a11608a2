/** AGENTCORE_TS_HOME: where user-level state lives, and that it is private (0700) however it was created. */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureHomeDir, homeDir } from "../../src/config/home.js";
import { tempDir } from "../support/cli.js";

const mode = async (dir: string) => (await fsp.stat(dir)).mode & 0o777;

describe("AGENTCORE_TS_HOME", () => {
  it("defaults to ~/.agentcore-ts; a set (non-blank) AGENTCORE_TS_HOME wins, resolved to an absolute path", () => {
    expect(homeDir({})).toBe(path.join(os.homedir(), ".agentcore-ts"));
    expect(homeDir({ AGENTCORE_TS_HOME: " " })).toBe(path.join(os.homedir(), ".agentcore-ts"));
    expect(homeDir({ AGENTCORE_TS_HOME: "rel/home" })).toBe(path.resolve("rel/home"));
  });

  it("creates the directory and a sub-directory with mode 0700, and tightens ones that already exist", async () => {
    const home = path.join(tempDir(), "state", "home");
    const env = { AGENTCORE_TS_HOME: home };
    expect(await ensureHomeDir(env)).toBe(home);
    expect(await mode(home)).toBe(0o700);
    await fsp.chmod(home, 0o755);
    await fsp.mkdir(path.join(home, "local"), { mode: 0o777 });
    expect(await ensureHomeDir(env, "local")).toBe(path.join(home, "local"));
    expect(await mode(home)).toBe(0o700);
    expect(await mode(path.join(home, "local"))).toBe(0o700);
  });
});
