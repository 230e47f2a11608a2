/**
 * `cognito local start` in the foreground, in-process: it reports the running server (with its status
 * document) while it runs and its stop when it ends; a detached start returns a result whose --json
 * document is the status without what only the printer needs.
 */
import { afterAll, describe, expect, it } from "vitest";
import { cognitoLocalStart, cognitoLocalStatus, cognitoLocalStop } from "../../../src/commands/cognito/local.js";
import { cognitoLocalReporter, printCognitoLocalStart } from "../../../src/commands/cognito/print.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { freePort, tempDir } from "../../support/cli.js";
import { portOpen } from "../../support/cognito-local.js";

async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  return { AGENTCORE_TS_HOME: tempDir("agentcore-ts-home-"), AGENTCORE_TS_COGNITO_PORT: String(await freePort()) };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe("cognito local start", () => {
  it("in the foreground: reports the server once it is up, runs until `until`, then reports the stop", async () => {
    const env = await freshEnv();
    const port = Number(env.AGENTCORE_TS_COGNITO_PORT);
    const output = new MemoryOutput();
    let stop!: () => void;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = cognitoLocalStart({ until }, { env, output }, { report: cognitoLocalReporter(output) });
    // Stopped even when an assertion below fails: a foreground server outlives the test otherwise.
    cleanups.push(async () => {
      stop();
      await running.catch(() => undefined);
    });
    const deadline = Date.now() + 10_000;
    while (output.lines.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(output.lines).toEqual([
      expect.stringMatching(/^✔ Embedded Cognito running on http:\/\/127\.0\.0\.1:\d+ \(pid \d+, started in \d+ ms/),
      "Press Ctrl-C to stop it.",
    ]);
    // The --json document goes out once it is up, while it runs.
    expect(output.results).toEqual([expect.objectContaining({ running: true, endpoint: `http://127.0.0.1:${port}`, mode: "persistent" })]);
    expect((await cognitoLocalStatus({ env, output: new MemoryOutput() })).running).toBe(true);

    stop();
    expect(await running).toBeUndefined();
    expect(await portOpen(port)).toBe(false);
    expect(output.lines.at(-1)).toBe("Embedded Cognito stopped.");
  });

  it("--detach returns its result; the --json document is the status alone", async () => {
    const env = await freshEnv();
    const output = new MemoryOutput();
    const result = await cognitoLocalStart({ detach: true }, { env, output }, { report: cognitoLocalReporter(output) });
    cleanups.push(() => cognitoLocalStop({ env, output: new MemoryOutput() }));
    expect(result).toMatchObject({ running: true, started: "detached", startedInMs: expect.any(Number) });
    expect(output.lines).toEqual([]);
    printCognitoLocalStart(result!, output);
    expect(output.lines).toEqual([
      expect.stringMatching(/^✔ Embedded Cognito running on /),
      "Stop it with `agentcore-ts cognito local stop`.",
    ]);
    const document = JSON.parse(JSON.stringify(result));
    expect(document).not.toHaveProperty("started");
    expect(document).not.toHaveProperty("startedInMs");
    expect(document).toMatchObject({ running: true, mode: "persistent", pools: 0 });
  });
});
