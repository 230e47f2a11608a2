/**
 * The curl line `launch --local` prints is run as printed (a real shell and curl) against a real local
 * runtime: for an IAM agent it must be SigV4-signed, or the gateway answers 403 like the service. The ready lines'
 * examples fit the agent's protocol (the A2A and AGUI curls are sent as printed in test/e2e/a2a and agui.test.ts).
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readyDocument } from "../../../src/commands/launch/local.js";
import { curlLines, printLocalReady } from "../../../src/commands/launch/print.js";
import type { LocalLaunchDocument } from "../../../src/commands/launch/types.js";
import { type LocalRuntime, startLocalRuntime } from "../../../src/local/runtime.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { writeAgentProject } from "../../local/gateway-helpers.js";
import { testEnv } from "../../support/cli.js";

const hasCurl = spawnSync("curl", ["--version"]).status === 0;
const runtimes: LocalRuntime[] = [];
afterAll(() => Promise.all(runtimes.map((r) => r.stop())));

const document = readyDocument;

describe("launch --local's curl line", () => {
  it.skipIf(!hasCurl)("for an IAM agent is signed with SigV4 and answers 200 as printed", async () => {
    const env = testEnv();
    const cwd = await writeAgentProject({ authorizerConfiguration: null });
    const runtime = await startLocalRuntime({ cwd, env, mode: "process", port: 0, agentPort: 0, writeRecord: false });
    runtimes.push(runtime);
    const [line, ...rest] = curlLines(document(runtime), false);
    expect(rest).toEqual([]);
    expect(line).toMatch(/--aws-sigv4 'aws:amz:[a-z0-9-]+:bedrock-agentcore' --user "\$AWS_ACCESS_KEY_ID:\$AWS_SECRET_ACCESS_KEY"/);
    const command = `${line!.replace(/^\s*or:\s*/, "")} -s -o /dev/null -w '%{http_code}'`;
    // Async: the gateway answers from this process.
    const { stdout } = await promisify(execFile)("sh", ["-c", command], { env, encoding: "utf8" });
    expect(stdout).toBe("200");
  });

  it("for a JWT agent sets $TOKEN first (token show --raw, with --agent when it was given)", () => {
    const lines = curlLines(
      { ...document({ agentName: "my_agent", gatewayUrl: "http://127.0.0.1:1", agentRuntimeArn: "arn" } as LocalRuntime), auth: "jwt" },
      true,
    );
    expect(lines[0]).toMatch(/TOKEN=\$\(agentcore-ts token show --raw --agent my_agent\)/);
    expect(lines[1]).toMatch(/-H "Authorization: Bearer \$TOKEN"/);
  });
});

/** The ready lines from `Invoke:` to `Press Ctrl-C`, for an agent of this protocol. */
function readyLines(protocol: LocalLaunchDocument["protocol"], auth: LocalLaunchDocument["auth"] = "jwt", agentFlag = false): string[] {
  const output = new MemoryOutput();
  const runtime = {
    agentName: "my_agent",
    gatewayUrl: "http://127.0.0.1:8081",
    agentRuntimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abc",
    auth,
    protocol,
  } as LocalRuntime;
  printLocalReady({ document: document(runtime), agentFlag }, output);
  const lines = output.lines;
  return lines.slice(
    lines.findIndex((l) => l.startsWith("  Invoke:")),
    lines.indexOf("  Press Ctrl-C to stop."),
  );
}

const url = "http://127.0.0.1:8081/runtimes/my_agent/invocations?qualifier=DEFAULT";
const body = (line: string | undefined) => JSON.parse(line?.match(/-d '(.*)'$/)?.[1] ?? "null");

describe("launch --local's ready lines fit the protocol", () => {
  it("HTTP: the {prompt} invoke and curl", () => {
    const lines = readyLines("HTTP");
    expect(lines[0]).toBe(`  Invoke:  agentcore-ts invoke --local '{"prompt": "Hello"}'`);
    expect(body(lines.at(-1))).toEqual({ prompt: "Hello" });
  });

  it("MCP: invoke --mcp and the URL for an MCP client, no curl", () => {
    expect(readyLines("MCP", "jwt", true)).toEqual([
      "  Invoke:  agentcore-ts invoke --local --mcp list-tools --agent my_agent",
      "           agentcore-ts invoke --local --mcp call-tool NAME --input '{}' --agent my_agent",
      `  MCP URL: ${url} (Streamable HTTP, with an Authorization: Bearer header)`,
    ]);
    expect(readyLines("MCP", "iam").at(-1)).toBe(`  MCP URL: ${url} (Streamable HTTP)`);
  });

  it("A2A: a JSON-RPC message/send; AGUI: a RunAgentInput read as an event stream", () => {
    const a2a = readyLines("A2A");
    expect(a2a[0]).toBe("  Invoke:  agentcore-ts invoke --local 'Hello'");
    expect(a2a[1]).toMatch(/TOKEN=\$\(agentcore-ts token show --raw\)/);
    expect(body(a2a[2])).toMatchObject({ jsonrpc: "2.0", method: "message/send", params: { message: { role: "user" } } });
    const agui = readyLines("AGUI", "iam");
    expect(agui[0]).toBe("  Invoke:  agentcore-ts invoke --local 'Hello'");
    expect(agui[1]).toMatch(/--aws-sigv4 .*-H 'Accept: text\/event-stream'/);
    expect(Object.keys(body(agui[1]))).toEqual(["threadId", "runId", "messages", "tools", "context", "state", "forwardedProps"]);
  });
});
