/** AGENTCORE_TS_HOME: where user-level state lives, and that it is private (0700) however it was created. */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureHomeDir, homeDir } from "../../src/config/home.js";
import { AgentcoreError } from "../../src/errors.js";
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

  it("makes every file already in the home 0600 and every directory 0700 (state an older version or cognito-local wrote)", async () => {
    const home = tempDir();
    const db = path.join(home, "cognito-local", ".cognito", "db");
    await fsp.mkdir(db, { recursive: true, mode: 0o755 });
    await fsp.chmod(path.join(home, "cognito-local"), 0o755);
    await fsp.writeFile(path.join(db, "local_abc.json"), '{"Users":{}}', { mode: 0o644 });
    await fsp.writeFile(path.join(home, "sessions.json"), "{}", { mode: 0o666 });
    await fsp.symlink("/etc/hostname", path.join(home, "link"));
    await ensureHomeDir({ AGENTCORE_TS_HOME: home });
    expect(await mode(path.join(db, "local_abc.json"))).toBe(0o600);
    expect(await mode(path.join(home, "sessions.json"))).toBe(0o600);
    for (const dir of [home, path.join(home, "cognito-local"), path.join(home, "cognito-local", ".cognito"), db])
      expect(await mode(dir)).toBe(0o700);
    expect((await fsp.stat("/etc/hostname")).mode & 0o777).not.toBe(0o600);
  });

  it("names a home that is a regular file in one sentence with the fix (no errno text)", async () => {
    const file = path.join(tempDir(), "not-a-dir");
    await fsp.writeFile(file, "");
    for (const home of [file, path.join(file, "below")]) {
      const error = await ensureHomeDir({ AGENTCORE_TS_HOME: home }, "local").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentcoreError);
      expect(error).toMatchObject({
        code: "HomeNotDirectory",
        message: `The state directory ${home} (AGENTCORE_TS_HOME) is a file, not a directory.`,
      });
      expect((error as AgentcoreError).hint).toContain("Point AGENTCORE_TS_HOME at a directory");
    }
    expect(await fsp.readFile(file, "utf8")).toBe("");
  });
});
