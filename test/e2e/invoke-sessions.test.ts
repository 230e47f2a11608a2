/** `invoke` end to end: session reuse per agent, --new-session, --session-id validation, payloads from stdin. */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeRuntime, SESSION_HEADER, startFakeRuntime } from "../fakes/sigv4-runtime.js";
import { runCli, testEnv } from "../support/cli.js";
import { projectDir, promptOf } from "./invoke-helpers.js";

let fake: FakeRuntime;
let project: string;

beforeAll(async () => {
  project = await projectDir();
  fake = await startFakeRuntime({ auth: "bearer" });
});

afterAll(async () => {
  await fake.stop();
});

const env = (extra: NodeJS.ProcessEnv = {}) =>
  testEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: fake.url, COGNITO_ACCESS_TOKEN: "t", ...extra });
const requestsWith = (prompt: string) => fake.requests.filter((r) => promptOf(r) === prompt);

describe.concurrent("invoke sessions and payloads", () => {
  it("reuses the agent's session until --new-session; --session-id is validated before sending", async () => {
    const shared = env();
    const sessionOf = async (prompt: string, ...flags: string[]) => {
      const result = await runCli(["invoke", prompt, "--verbose", ...flags], { cwd: project, env: shared });
      expect(result.code).toBe(0);
      const sent = String(requestsWith(prompt)[0].headers[SESSION_HEADER]);
      expect(result.stderr).toContain(`Session id: ${sent}`);
      return sent;
    };
    const first = await sessionOf("session-1");
    expect(first).toHaveLength(36);
    expect(await sessionOf("session-2")).toBe(first);
    const fresh = await sessionOf("session-3", "--new-session");
    expect(fresh).not.toBe(first);
    expect(await sessionOf("session-4")).toBe(fresh);
    const chosen = "my-own-session-id-0123456789abcdefghij";
    expect(await sessionOf("session-5", "--session-id", chosen)).toBe(chosen);
    expect(await sessionOf("session-6")).toBe(chosen);

    const short = await runCli(["invoke", "session-short", "--session-id", "too-short"], { cwd: project, env: shared });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("--session-id must be 33 to 256 characters (got 9)");
    expect(requestsWith("session-short")).toHaveLength(0);

    const file = path.join(shared.AGENTCORE_TS_HOME!, "sessions.json");
    const store = JSON.parse(await fsp.readFile(file, "utf8")) as Record<string, { sessionId: string }>;
    expect(Object.entries(store).map(([key, entry]) => [key, entry.sessionId])).toEqual([
      [`agent:${project}/.agentcore.json#jwt_agent`, chosen],
    ]);
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
  });

  it("keeps one session per agent", async () => {
    const shared = env();
    const dir = await projectDir({
      agents: {
        a_one: {
          name: "a_one",
          entrypoint: "a.py",
          language: "python",
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: "https://issuer.example.com/.well-known/openid-configuration", allowedClients: ["c"] },
          },
          deployment: { runtimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a_one-AAAAAAAAAA" },
        },
        a_two: {
          name: "a_two",
          entrypoint: "a.py",
          language: "python",
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: "https://issuer.example.com/.well-known/openid-configuration", allowedClients: ["c"] },
          },
          deployment: { runtimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a_two-BBBBBBBBBB" },
        },
      },
      defaultAgent: "a_one",
    });
    for (const [prompt, agent] of [
      ["per-agent-1", "a_one"],
      ["per-agent-2", "a_two"],
      ["per-agent-3", "a_one"],
    ]) {
      expect((await runCli(["invoke", prompt, "--agent", agent], { cwd: dir, env: shared })).code).toBe(0);
    }
    const [one, two, oneAgain] = ["per-agent-1", "per-agent-2", "per-agent-3"].map((p) => requestsWith(p)[0].headers[SESSION_HEADER]);
    expect(one).not.toBe(two);
    expect(oneAgain).toBe(one);
  });

  it("reads the payload from stdin; text that is not JSON becomes {prompt}", async () => {
    const json = await runCli(["invoke"], { cwd: project, env: env(), input: '{"prompt":"stdin-json","n":1}\n' });
    expect(json.code).toBe(0);
    expect(json.stdout).toBe("Hello world\n");
    expect(requestsWith("stdin-json")[0].body).toBe('{"prompt":"stdin-json","n":1}');
    const text = await runCli(["invoke", "-"], { cwd: project, env: env(), input: "stdin text\n" });
    expect(text.code).toBe(0);
    expect(requestsWith("stdin text")[0].body).toBe('{"prompt":"stdin text"}');
    const empty = await runCli(["invoke"], { cwd: project, env: env() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/No payload given/);
  });
});
