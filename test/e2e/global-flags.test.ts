import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir, testEnv } from "../support/cli.js";

describe("global flags", () => {
  it("--version and --help with --json print one JSON document", async () => {
    const version = await runCli(["--version", "--json"]);
    expect(version.code).toBe(0);
    expect(JSON.parse(version.stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const help = await runCli(["invoke", "--help", "--json"]);
    expect(help.code).toBe(0);
    expect(JSON.parse(help.stdout)).toMatchObject({ help: expect.stringContaining("Usage: agentcore-ts invoke") });
    const group = await runCli(["token", "--json"]);
    expect(group.code).toBe(2);
    expect(JSON.parse(group.stdout)).toMatchObject({ error: "UsageError" });
  });

  it("a subcommand's help lists the global flags", async () => {
    const help = await runCli(["token", "verify", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Global Options:[\s\S]*--region <region>[\s\S]*--profile <name>[\s\S]*--json/);
  });

  it("--profile with a profile no shared file defines says so in one sentence, before any AWS call", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "config"), "[default]\nregion = us-east-1\n[profile dev]\nregion = us-west-2\n");
    writeFileSync(path.join(dir, "credentials"), "[ci]\naws_access_key_id = AKIA\n");
    const env = testEnv({ AWS_CONFIG_FILE: path.join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "credentials") });
    const arn = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-AbCdEf1234";
    const result = await runCli(["invoke", "hi", "--agent-arn", arn, "--profile", "dve"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/The AWS profile "dve" \(--profile\) does not exist/);
    expect(result.stderr).toMatch(/Did you mean "dev"\? Profiles there: ci, default, dev\./);
    expect(result.stderr.trim().split("\n")).toHaveLength(2);
  });
});
