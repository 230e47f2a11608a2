/**
 * Hints lead somewhere: they keep the --agent the user gave, and never send the user to a command that
 * answers with the same dead end.
 */
import { describe, expect, it } from "vitest";
import { makeProject } from "../fakes/aws-project.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";

describe("hints", () => {
  it("status keeps --agent in the command it suggests", async () => {
    const project = await makeProject({ agentName: "second_agent" });
    const result = await runCli(["status", "--agent", "second_agent"], { cwd: project.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Next: +agentcore-ts launch --agent second_agent/);
  });

  it("token show with an empty cache points at cognito setup, not at token refresh (which has nothing to refresh)", async () => {
    const result = await runCli(["token", "show"], { cwd: tempDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No cached access token/);
    expect(result.stderr).toMatch(/cognito setup --local/);
    expect(result.stderr).not.toMatch(/token refresh/);
  });

  it("cognito setup without a region also names --local", async () => {
    const result = await runCli(["cognito", "setup"], { cwd: tempDir(), env: testEnv({ AWS_REGION: undefined }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No AWS region is set[\s\S]*--region[\s\S]*agentcore-ts cognito setup --local/);
  });
});
