/**
 * `logs` end to end: the built CLI against the CloudWatch Logs fake (FilterLogEvents, and StartLiveTail's
 * event stream for --follow), for an agent whose .agentcore.json records a deployment (what `launch` writes).
 */
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsFakes, startAwsFakes } from "../fakes/aws-fakes.js";
import { awsEnv, makeProject } from "../fakes/aws-project.js";
import { waitFor } from "../local/gateway-helpers.js";
import { BIN, runCli } from "../support/cli.js";
import { KEY, runCliInPty } from "../support/pty.js";

const RUNTIME_ID = "logs_agent-AbCdEf1234";
const GROUP = `/aws/bedrock-agentcore/runtimes/${RUNTIME_ID}-DEFAULT`;
const STREAM = "2026/01/31/[runtime-logs]5f1e0d6c";

let aws: AwsFakes;
let env: NodeJS.ProcessEnv;
let project: Awaited<ReturnType<typeof makeProject>>;

beforeAll(async () => {
  aws = await startAwsFakes();
  env = awsEnv(aws, { AGENTCORE_TS_POLL_MS: "20" });
  aws.logs.liveTailUpdateMs = 20;
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

  it("--follow on a terminal: waits for the group, then a StartLiveTail session prints new events with stream and time, each once, until Ctrl-C", async () => {
    const group = "/aws/bedrock-agentcore/runtimes/follow_agent-ZyXwVu9876-DEFAULT";
    const followProject = await makeProject({
      agentName: "follow_agent",
      agent: { deployment: { runtimeId: "follow_agent-ZyXwVu9876", region: "us-east-1" } },
    });
    const pty = runCliInPty(["logs", "--follow", "--since", "5m"], { cwd: followProject.dir, env });
    try {
      // No group yet: it says so once and keeps waiting (polling FilterLogEvents).
      await pty.waitFor("No log group");
      const before = Date.now() - 1000;
      aws.logs.putEvents(group, STREAM, [{ timestamp: before, message: "hello from the agent" }]);
      await pty.waitFor(`${new Date(before).toISOString()} [${STREAM}] hello from the agent`);
      // Then a live tail of the group, by its ARN (the account from STS: the deployment records no runtime ARN).
      await waitFor(() => aws.logs.liveSessions.size === 1 || undefined, 10_000, "the live tail session");
      expect(aws.logs.callsOf("StartLiveTail").map((c) => c.input)).toEqual([
        { logGroupIdentifiers: [`arn:aws:logs:us-east-1:${aws.account}:log-group:${group}`] },
      ]);
      const at = Date.now();
      aws.logs.putEvents(group, "2026/01/31/[runtime-logs]other", [
        { timestamp: at, message: "same millisecond a" },
        { timestamp: at, message: "same millisecond b" },
      ]);
      await pty.waitFor(`${new Date(at).toISOString()} [2026/01/31/[runtime-logs]other] same millisecond a`);
      await pty.waitFor("same millisecond b");
      // More session updates and no more FilterLogEvents reads: nothing is printed twice.
      const reads = aws.logs.callsOf("FilterLogEvents").length;
      await new Promise((resolve) => setTimeout(resolve, 10 * aws.logs.liveTailUpdateMs));
      expect(aws.logs.callsOf("FilterLogEvents").length).toBe(reads);
      pty.send(KEY.ctrlC);
      const done = await pty.done;
      expect(done.code).toBe(0);
      expect(done.text.match(/hello from the agent/g)).toHaveLength(1);
      expect(done.text.match(/same millisecond a/g)).toHaveLength(1);
      expect(done.text.match(/No log group/g)).toHaveLength(1);
      await waitFor(() => aws.logs.liveSessions.size === 0 || undefined, 5000, "the session to close");
      expect(aws.rejections()).toEqual([]);
    } finally {
      pty.kill();
    }
  });

  it("--follow --json: events ingested before the session started come from FilterLogEvents; a timed-out session is restarted; one JSON object per line", async () => {
    const runtimeId = "restart_agent-QwErTy5678";
    const group = `/aws/bedrock-agentcore/runtimes/${runtimeId}-DEFAULT`;
    const restartProject = await makeProject({
      agentName: "restart_agent",
      // A runtime ARN: the group's ARN comes from it (no STS call).
      agent: {
        deployment: {
          runtimeId,
          region: "us-east-1",
          runtimeArn: `arn:aws:bedrock-agentcore:us-east-1:${aws.account}:runtime/${runtimeId}`,
        },
      },
    });
    aws.logs.putEvents(group, STREAM, [{ timestamp: Date.now() - 1000, message: "backlog" }]);
    // Ingested after the first read, before the session starts: only the read at the session's start finds it.
    aws.logs.onLiveTailStart = () => {
      aws.logs.onLiveTailStart = undefined;
      aws.logs.putEvents(group, STREAM, [{ timestamp: Date.now(), message: "between read and session" }]);
    };
    aws.logs.liveTailSessionMs = 300;
    const stsCalls = aws.sts.callsOf("GetCallerIdentity").length;
    const child = spawn(process.execPath, [BIN, "logs", "--follow", "--json"], { cwd: restartProject.dir, env });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await waitFor(() => stdout.includes("between read and session") || undefined, 10_000, "the catch-up read");
      // The first session times out after 300 ms (SessionTimeoutException); the next one starts.
      const sessionsOfThisGroup = () => aws.logs.callsOf("StartLiveTail").filter((c) => JSON.stringify(c.input).includes(runtimeId));
      await waitFor(() => (sessionsOfThisGroup().length >= 2 && aws.logs.liveSessions.size === 1) || undefined, 10_000, "a second session");
      aws.logs.putEvents(group, STREAM, [{ timestamp: Date.now(), message: "in the second session" }]);
      await waitFor(() => stdout.includes("in the second session") || undefined, 10_000, "the second session's event");
      expect(sessionsOfThisGroup()[0]!.input).toEqual({
        logGroupIdentifiers: [`arn:aws:logs:us-east-1:${aws.account}:log-group:${group}`],
      });
      expect(aws.sts.callsOf("GetCallerIdentity").length).toBe(stsCalls);
    } finally {
      aws.logs.liveTailSessionMs = 3 * 3_600_000;
      child.kill("SIGINT");
    }
    expect(await closed).toBe(0);
    const docs = stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { time: string; stream: string; message: string });
    expect(docs.map((d) => d.message)).toEqual(["backlog", "between read and session", "in the second session"]);
    expect(docs.every((d) => d.stream === STREAM && !Number.isNaN(Date.parse(d.time)))).toBe(true);
  });

  it("--follow falls back to polling FilterLogEvents when StartLiveTail is refused, and says why", async () => {
    const runtimeId = "denied_agent-AsDfGh4321";
    const group = `/aws/bedrock-agentcore/runtimes/${runtimeId}-DEFAULT`;
    const deniedProject = await makeProject({ agentName: "denied_agent", agent: { deployment: { runtimeId, region: "us-east-1" } } });
    aws.logs.putEvents(group, STREAM, [{ timestamp: Date.now() - 1000, message: "before" }]);
    aws.logs.liveTailRefusal = {
      type: "AccessDeniedException",
      message: "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: logs:StartLiveTail",
    };
    const child = spawn(process.execPath, [BIN, "logs", "--follow"], { cwd: deniedProject.dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await waitFor(() => stderr.includes("No live tail") || undefined, 10_000, "the fallback notice");
      expect(stderr).toContain("AccessDeniedException");
      expect(stderr).toContain("not authorized to perform: logs:StartLiveTail");
      aws.logs.putEvents(group, STREAM, [{ timestamp: Date.now(), message: "after" }]);
      await waitFor(() => stdout.includes("after") || undefined, 10_000, "the polled event");
    } finally {
      aws.logs.liveTailRefusal = undefined;
      child.kill("SIGINT");
    }
    expect(await closed).toBe(0);
    expect(stdout.match(/ before$/gm)).toHaveLength(1);
    expect(stdout.match(/ after$/gm)).toHaveLength(1);
    expect(aws.logs.callsOf("StartLiveTail").filter((c) => c.errorType === "AccessDeniedException")).toHaveLength(1);
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
