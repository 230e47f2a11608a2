/** The remembered runtime sessions (AGENTCORE_TS_HOME/sessions.json): concurrent invokes keep every session. */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { storeA2aContext, storedA2aContext, storedSessionId, storeSessionId } from "../../src/invoke/sessions.js";
import { REPO_ROOT, tempDir } from "../support/cli.js";
import { runNodeScript } from "../support/node-script.js";

describe("sessions file", () => {
  it("keeps each A2A session's conversation apart from the agent's current session, the 100 most recent", async () => {
    const env = { AGENTCORE_TS_HOME: tempDir() };
    await storeSessionId(env, "agent:a", "session-one-0000000000000000000000000");
    await storeA2aContext(env, "agent:a", "session-one-0000000000000000000000000", "context-1");
    // Another session becomes current; the first one's conversation is still there to continue.
    await storeSessionId(env, "agent:a", "session-two-0000000000000000000000000");
    expect(await storedSessionId(env, "agent:a")).toBe("session-two-0000000000000000000000000");
    expect(await storedA2aContext(env, "agent:a", "session-one-0000000000000000000000000")).toBe("context-1");
    expect(await storedA2aContext(env, "agent:a", "session-two-0000000000000000000000000")).toBeUndefined();
    for (let i = 0; i < 100; i++) await storeA2aContext(env, "agent:b", `s-${i}`, `c-${i}`);
    expect(await storedA2aContext(env, "agent:a", "session-one-0000000000000000000000000")).toBeUndefined();
    expect(await storedA2aContext(env, "agent:b", "s-99")).toBe("c-99");
  });

  it("loses no session when several processes store theirs at the same moment, and stays private (0600)", async () => {
    const home = tempDir("agentcore-ts-home-");
    const workers = 6;
    const perWorker = 10;
    // The built module, as the CLI runs it: real processes racing on one file.
    const script = `
      const { storeSessionId } = await import(${JSON.stringify(path.join(REPO_ROOT, "dist/invoke/sessions.js"))});
      for (let i = 0; i < ${perWorker}; i++) {
        await storeSessionId(process.env, process.env.WORKER + "-" + i, (process.env.WORKER + "-" + i).padEnd(36, "x"));
      }`;
    const run = (worker: number) => runNodeScript(script, { ...process.env, AGENTCORE_TS_HOME: home, WORKER: `w${worker}` });
    expect(await Promise.all(Array.from({ length: workers }, (_, i) => run(i)))).toEqual(Array(workers).fill(0));
    const env = { AGENTCORE_TS_HOME: home };
    for (let w = 0; w < workers; w += 1) {
      for (let i = 0; i < perWorker; i += 1) expect(await storedSessionId(env, `w${w}-${i}`)).toBe(`w${w}-${i}`.padEnd(36, "x"));
    }
    expect(await fsp.readdir(home)).toEqual(["sessions.json"]);
    expect((await fsp.stat(path.join(home, "sessions.json"))).mode & 0o777).toBe(0o600);
  });
});
