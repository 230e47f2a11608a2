/**
 * `invoke` end to end through the built binary, SigV4 path (the SDK's InvokeAgentRuntime) against
 * the data-plane fake that verifies the signature.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeRuntime, SESSION_HEADER, sendError, sendSse, startFakeRuntime } from "../fakes/sigv4-runtime.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";
import { IAM_ARN, JWT_ARN, projectDir, promptOf } from "./invoke-helpers.js";

let fake: FakeRuntime;
let project: string;

beforeAll(async () => {
  project = await projectDir();
  fake = await startFakeRuntime({
    auth: "sigv4",
    respond: (request, res) =>
      promptOf(request) === "throttled"
        ? sendError(res, 429, "ThrottlingException", "Rate exceeded")
        : sendSse(res, request, ['"signed "', '{"data": "answer"}']),
  });
});

afterAll(async () => {
  await fake.stop();
});

const env = (extra: NodeJS.ProcessEnv = {}) => testEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: fake.url, ...extra });
const requestsWith = (prompt: string) => fake.requests.filter((r) => promptOf(r) === prompt);

describe.concurrent("invoke with SigV4", () => {
  it("signs with SigV4 for bedrock-agentcore, carries the session and user id headers, and streams the answer", async () => {
    const result = await runCli(["invoke", '{"prompt":"signed"}', "--agent", "iam_agent", "--user-id", "alice"], {
      cwd: project,
      env: env(),
    });
    expect(result.stderr).not.toMatch(/✖/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("signed answer\n");
    const [request] = requestsWith("signed");
    expect(request.url).toBe(`/runtimes/${encodeURIComponent(IAM_ARN)}/invocations?qualifier=DEFAULT`);
    expect(request.sigv4).toMatchObject({
      valid: true,
      service: "bedrock-agentcore",
      region: "us-east-1",
      accessKeyId: "AKIATESTTESTTESTTEST",
    });
    expect(request.sigv4!.signedHeaders).toEqual(expect.arrayContaining(["x-amz-date", "x-amz-content-sha256", SESSION_HEADER, "host"]));
    expect(String(request.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIATESTTESTTESTTEST\/\d{8}\/us-east-1\/bedrock-agentcore\/aws4_request, /,
    );
    expect(request.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(String(request.headers[SESSION_HEADER]).length).toBe(36);
    expect(request.headers["x-amzn-bedrock-agentcore-runtime-user-id"]).toBe("alice");
    expect(request.headers.accept).toBe("text/event-stream, application/json");
    expect(request.headers["content-type"]).toBe("application/json");
  });

  it("honours the generic AWS_ENDPOINT_URL when AWS_ENDPOINT_URL_BEDROCK_AGENTCORE is unset", async () => {
    const result = await runCli(["invoke", '{"prompt":"generic-endpoint"}', "--agent", "iam_agent"], {
      cwd: project,
      env: testEnv({ AWS_ENDPOINT_URL: fake.url }),
    });
    expect(result.stderr).not.toMatch(/✖/);
    expect(result.code).toBe(0);
    const [request] = requestsWith("generic-endpoint");
    expect(request.sigv4).toMatchObject({ valid: true, service: "bedrock-agentcore" });
  });

  it("the fake really checks the signature: wrong credentials get the service's InvalidSignatureException", async () => {
    const result = await runCli(["invoke", '{"prompt":"bad-signature"}', "--agent", "iam_agent"], {
      cwd: project,
      env: env({ AWS_SECRET_ACCESS_KEY: "another-secret" }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("InvalidSignatureException: The request signature we calculated does not match");
  });

  it("a bearer token to a SigV4 runtime (--agent-arn --bearer-token): 403 mismatch, says it expects SigV4", async () => {
    const result = await runCli(["invoke", '{"prompt":"bearer-to-iam"}', "--agent-arn", IAM_ARN, "--bearer-token", "t"], {
      cwd: tempDir(),
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("AccessDeniedException: Authorization method mismatch");
    expect(result.stderr).toMatch(/expects SigV4/);
  });

  it("--agent-arn without a config: SigV4 in the ARN's region", async () => {
    const arn = "arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/other_agent-Q1w2E3r4T5";
    const result = await runCli(["invoke", "from-arn", "--agent-arn", arn], { cwd: tempDir(), env: env({ AWS_REGION: "us-east-1" }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("signed answer\n");
    const [request] = requestsWith("from-arn");
    expect(request.arn).toBe(arn);
    expect(request.sigv4).toMatchObject({ valid: true, region: "eu-west-1" });
  });

  it("an --agent-arn that names a configured agent uses its authorizer (bearer required, no SigV4)", async () => {
    const result = await runCli(["invoke", "known-arn", "--agent-arn", JWT_ARN], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Agent "jwt_agent" requires an OAuth bearer token');
    expect(requestsWith("known-arn")).toHaveLength(0);
  });

  it("429: the SDK retries with its backoff (3 attempts), then the error is reported with the service's type", async () => {
    const result = await runCli(["invoke", '{"prompt":"throttled"}', "--agent", "iam_agent"], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ThrottlingException: Rate exceeded");
    expect(result.stderr).toContain("after 3 attempts");
    expect(requestsWith("throttled")).toHaveLength(3);
  });

  it("an agent that was never launched: says so and names launch", async () => {
    const dir = await projectDir({
      agents: { fresh: { name: "fresh", entrypoint: "agent.py", language: "python" } },
      defaultAgent: "fresh",
    });
    const result = await runCli(["invoke", "x"], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Agent "fresh" is not deployed');
    expect(result.stderr).toContain("agentcore-ts launch");
  });
});
