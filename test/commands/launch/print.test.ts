/**
 * The curl line `launch --local` prints is run as printed (a real shell and curl) against a real local
 * runtime: for an IAM agent it must be SigV4-signed, or the gateway answers 403 like the service.
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readyDocument } from "../../../src/commands/launch/local.js";
import { curlLines } from "../../../src/commands/launch/print.js";
import { type LocalRuntime, startLocalRuntime } from "../../../src/local/runtime.js";
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
