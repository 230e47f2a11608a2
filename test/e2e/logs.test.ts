/**
 * `logs` end to end: the built CLI against the CloudWatch Logs fake, for an agent whose .agentcore.json
 * records a deployment (what `launch` writes).
 */
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFakes, startAwsFakes } from "../fakes/aws-fakes.js";
import { awsEnv, makeProject } from "../fakes/aws-project.js";
import { BIN, runCli } from "../support/cli.js";

const RUNTIME_ID = "logs_agent-AbCdEf1234";
const GROUP = `/aws/bedrock-agentcore/runtimes/${RUNTIME_ID}-DEFAULT`;
const STREAM = "2026/01/31/[runtime-logs]5f1e0d6c";

let aws: AwsFakes;
let env: NodeJS.ProcessEnv;
let project: Awaited<ReturnType<typeof makeProject>>;

beforeAll(async () => {
  aws = await startAwsFakes();
  env = awsEnv(aws, { AGENTCORE_TS_POLL_MS: "20" });
  project = await makeProject({ agentName: "logs_agent", agent: { deployment: { runtimeId: RUNTIME_ID, region: "us-east-1" } } });
});
afterAll(async () => {
  await aws?.close();
});

describe("logs", () => {
  it("prints the log group's events since --since with time and stream, across pages, oldest first", async () => {
    const now = Date.now();
    aws.logs.pageSize = 2;
    aws.logs.putEvents(GROUP, STREAM, [
      { timestamp: now - 3 * 3_600_000, message: "too old" },
      { timestamp: now - 50_000, message: "second" },
      { timestamp: now - 60_000, message: "first" },
      { timestamp: now - 40_000, message: "third\n" },
    ]);
    aws.logs.putEvents(GROUP, "other-stream", [{ timestamp: now - 30_000, message: "fourth" }]);
    const human = await runCli(["logs", "--since", "10m"], { cwd: project.dir, env });
    expect(human.stderr).toBe("");
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      `${new Date(now - 60_000).toISOString()} [${STREAM}] first`,
      `${new Date(now - 50_000).toISOString()} [${STREAM}] second`,
      `${new Date(now - 40_000).toISOString()} [${STREAM}] third`,
      `${new Date(now - 30_000).toISOString()} [other-stream] fourth`,
    ]);
    expect(aws.logs.callsOf("FilterLogEvents").length).toBeGreaterThanOrEqual(2);

    const json = await runCli(["logs", "--json"], { cwd: project.dir, env });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ agent: "logs_agent", logGroup: GROUP, region: "us-east-1", logGroupExists: true });
    expect(doc.events.map((e: { message: string }) => e.message)).toEqual(["first", "second", "third", "fourth"]);
    expect(aws.rejections()).toEqual([]);
  });

  it("--follow prints new events as they arrive, each once, until Ctrl-C", async () => {
    const group = "/aws/bedrock-agentcore/runtimes/follow_agent-ZyXwVu9876-DEFAULT";
    const followProject = await makeProject({
      agentName: "follow_agent",
      agent: { deployment: { runtimeId: "follow_agent-ZyXwVu9876", region: "us-east-1" } },
    });
    const child = spawn(process.execPath, [BIN, "logs", "--follow", "--since", "5m"], { cwd: followProject.dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const until = async (what: () => boolean, label: string) => {
      const deadline = Date.now() + 10_000;
      while (!what()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}\nstdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // No group yet: it says so once and keeps waiting.
    await until(() => stderr.includes("No log group"), "the waiting notice");
    aws.logs.putEvents(group, STREAM, [{ timestamp: Date.now(), message: "hello from the agent" }]);
    await until(() => stdout.includes("hello from the agent"), "the first event");
    const at = Date.now();
    aws.logs.putEvents(group, STREAM, [
      { timestamp: at, message: "same millisecond a" },
      { timestamp: at, message: "same millisecond b" },
    ]);
    await until(() => stdout.includes("same millisecond b"), "the later events");
    // A few more polls: nothing is printed twice.
    const calls = aws.logs.callsOf("FilterLogEvents").length;
    await until(() => aws.logs.callsOf("FilterLogEvents").length >= calls + 3, "more polls");
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stdout.match(/hello from the agent/g)).toHaveLength(1);
    expect(stdout.match(/same millisecond a/g)).toHaveLength(1);
    expect(stderr.match(/No log group/g)).toHaveLength(1);
    expect(aws.rejections()).toEqual([]);
  });

  it("an agent that was never launched is a usage error pointing at launch and logs --local; a bad --since is named", async () => {
    const fresh = await makeProject({ agentName: "fresh_agent" });
    const notLaunched = await runCli(["logs", "--json"], { cwd: fresh.dir, env });
    expect(notLaunched.code).toBe(2);
    expect(JSON.parse(notLaunched.stdout)).toMatchObject({ error: "NotDeployed" });
    const badSince = await runCli(["logs", "--since", "yesterday"], { cwd: project.dir, env });
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('--since must be a duration like 30s, 10m, 2h, 1d or an ISO 8601 time, got "yesterday"');
    await fsp.rm(path.join(fresh.dir), { recursive: true, force: true });
  });
});
