/**
 * `invoke` end to end through the built binary, bearer path, against the data-plane fake
 * (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE points at it). Scenarios are chosen by the prompt or the
 * token, so the tests can run concurrently against one fake.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeRuntime, sendError, sendSse, startFakeRuntime } from "../fakes/sigv4-runtime.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";
import { CLIENT_ID, JWT_ARN, projectDir, promptOf, runCliLive } from "./invoke-helpers.js";

let fake: FakeRuntime;
let project: string;
const gates = new Map<string, () => void>();

beforeAll(async () => {
  project = await projectDir();
  fake = await startFakeRuntime({
    auth: "bearer",
    checkToken: (token) => {
      if (token === "expired-token") return { status: 401, errorType: "UnauthorizedException", message: "Invalid JWT: token has expired" };
      if (token === "wrong-client-token")
        return { status: 401, errorType: "UnauthorizedException", message: "Claim 'client_id' value mismatch with configuration." };
      return undefined;
    },
    respond: async (request, res) => {
      const prompt = promptOf(request);
      if (prompt === "not-found")
        return sendError(res, 404, "ResourceNotFoundException", "No endpoint or agent found with qualifier 'DEFAULT'");
      if (prompt === "agent-fails") {
        return sendError(
          res,
          424,
          "RuntimeClientError",
          "An error occurred when starting the runtime. Please check your CloudWatch logs for more information.",
        );
      }
      if (prompt === "throttled") return sendError(res, 429, "ThrottlingException", "Rate exceeded");
      if (prompt.startsWith("throttled-once")) {
        const seen = fake.requests.filter((r) => promptOf(r) === prompt).length;
        if (seen === 1) return sendError(res, 429, "ThrottlingException", "Rate exceeded");
      }
      if (prompt === "json") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end('{"response":"4","status":"success"}');
      }
      if (prompt === "stream-error") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        return res.end('data: "partial "\n\nevent: error\ndata: {"error": "model call failed"}\n\n');
      }
      if (prompt.startsWith("gated")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write('data: "first "\n\n');
        await new Promise<void>((resolve) => gates.set(prompt, resolve));
        return res.end('data: "second"\n\n');
      }
      return sendSse(res, request, ['"Hello"', '" world"']);
    },
  });
});

afterAll(async () => {
  await fake.stop();
});

const env = (extra: NodeJS.ProcessEnv = {}) => testEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: fake.url, ...extra });
const requestsWith = (prompt: string) => fake.requests.filter((r) => promptOf(r) === prompt);
const SESSION = "test-session-0123456789-abcdefghijklmnop";

describe.concurrent("invoke with a bearer token", () => {
  it("sends exactly the documented request: request line, headers, percent-encoded ARN, payload as the body", async () => {
    const result = await runCli(["invoke", '{"prompt":"exact"}', "--bearer-token", "token-exact", "--session-id", SESSION], {
      cwd: project,
      env: env(),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Hello world\n");
    const [request] = requestsWith("exact");
    expect(`${request.method} ${request.url}`).toBe(
      "POST /runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fjwt_agent-AbCdEf1234/invocations?qualifier=DEFAULT",
    );
    expect(request.arn).toBe(JWT_ARN);
    const port = new URL(fake.url).port;
    expect(request.rawHeaders).toEqual([
      "Authorization",
      "Bearer token-exact",
      "Content-Type",
      "application/json",
      "Accept",
      "text/event-stream, application/json",
      "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id",
      SESSION,
      "User-Agent",
      "agentcore-ts/0.1.0",
      "Content-Length",
      "18",
      "Host",
      `127.0.0.1:${port}`,
      "Connection",
      "close",
    ]);
    expect(request.body).toBe('{"prompt":"exact"}');
  });

  it("writes each streamed chunk as it arrives (the second is sent only after the first was printed)", async () => {
    const live = runCliLive(["invoke", '{"prompt":"gated"}', "--bearer-token", "t"], { cwd: project, env: env() });
    await live.waitForStdout("first ");
    expect(gates.has("gated")).toBe(true);
    gates.get("gated")!();
    const result = await live.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("first second\n");
  });

  it("uses COGNITO_ACCESS_TOKEN when no --bearer-token is given, and never sends a user id header", async () => {
    const result = await runCli(["invoke", '{"prompt":"env-token"}'], {
      cwd: project,
      env: env({ COGNITO_ACCESS_TOKEN: "token-from-env" }),
    });
    expect(result.code).toBe(0);
    const [request] = requestsWith("env-token");
    expect(request.headers.authorization).toBe("Bearer token-from-env");
    expect(request.headers["x-amzn-bedrock-agentcore-runtime-user-id"]).toBeUndefined();
  });

  it("honours the generic AWS_ENDPOINT_URL when AWS_ENDPOINT_URL_BEDROCK_AGENTCORE is unset (the specific one wins elsewhere in this file)", async () => {
    const result = await runCli(["invoke", '{"prompt":"generic-endpoint"}', "--bearer-token", "t"], {
      cwd: project,
      env: testEnv({ AWS_ENDPOINT_URL: fake.url }),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(requestsWith("generic-endpoint")).toHaveLength(1);
  });

  it("fails before sending anything when the JWT agent has no token, naming the ways to get one (no SigV4 fallback)", async () => {
    const result = await runCli(["invoke", '{"prompt":"no-token"}'], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Agent "jwt_agent" requires an OAuth bearer token');
    for (const named of ["agentcore-ts cognito setup", "agentcore-ts token refresh", "--bearer-token"])
      expect(result.stderr).toContain(named);
    expect(requestsWith("no-token")).toHaveLength(0);
  });

  it("refuses --user-id with a bearer token, explaining why", async () => {
    const result = await runCli(["invoke", '{"prompt":"user-id"}', "--bearer-token", "t", "--user-id", "alice"], {
      cwd: project,
      env: env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--user-id cannot be used with a bearer token/);
    expect(result.stderr).toMatch(/sub claim/);
    expect(requestsWith("user-id")).toHaveLength(0);
  });

  it("refuses a bearer token for an IAM agent before sending", async () => {
    for (const flags of [["--bearer-token", "t"], ["--bearer"]]) {
      const result = await runCli(["invoke", '{"prompt":"iam-bearer"}', "--agent", "iam_agent", ...flags], { cwd: project, env: env() });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/uses IAM \(SigV4\) inbound auth/);
    }
    expect(requestsWith("iam-bearer")).toHaveLength(0);
  });

  // The error rows: the service's type and message are shown, then the hint for this agent. Exit 1.
  it.each([
    {
      row: "401: points at `token verify`",
      prompt: "expired",
      flags: ["--bearer-token", "expired-token"],
      shows: ["UnauthorizedException: Invalid JWT: token has expired", "agentcore-ts token verify"],
    },
    {
      row: "401 claim mismatch (as a Runtime answers it): names the claim and the configured allowedClients",
      prompt: "claims",
      flags: ["--bearer-token", "wrong-client-token"],
      shows: [
        "UnauthorizedException: Claim 'client_id' value mismatch with configuration.",
        `"client_id" claim does not match allowedClients ["${CLIENT_ID}"]`,
        "agentcore-ts token verify",
      ],
    },
    {
      row: "404: names the ARN and the qualifier",
      prompt: "not-found",
      flags: ["--bearer-token", "t", "--qualifier", "prod"],
      shows: ["ResourceNotFoundException: No endpoint or agent found", JWT_ARN, "qualifier (prod"],
    },
    {
      row: "424: the agent itself failed; names its log group",
      prompt: "agent-fails",
      flags: ["--bearer-token", "t"],
      shows: [
        "RuntimeClientError: An error occurred when starting the runtime",
        "/aws/bedrock-agentcore/runtimes/jwt_agent-AbCdEf1234-DEFAULT",
      ],
    },
  ])("$row", async ({ prompt, flags, shows }) => {
    const result = await runCli(["invoke", JSON.stringify({ prompt }), ...flags], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    for (const text of shows) expect(result.stderr).toContain(text);
    expect(requestsWith(prompt)).toHaveLength(1);
  });

  it("a refused token's hint names where it came from: --bearer-token, or COGNITO_ACCESS_TOKEN (and the .env copy)", async () => {
    const flag = await runCli(["invoke", JSON.stringify({ prompt: "expired-source-flag" }), "--bearer-token", "expired-token"], {
      cwd: project,
      env: env(),
    });
    expect(flag.stderr).toContain("The token sent came from --bearer-token.");
    // A directory of the project with a .env holding the same token (as --write-token-to-env writes it, then sourced).
    const sub = path.join(project, "sourced");
    await fsp.mkdir(sub, { recursive: true });
    await fsp.writeFile(path.join(sub, ".env"), "COGNITO_ACCESS_TOKEN=expired-token\n");
    const fromEnv = await runCli(["invoke", JSON.stringify({ prompt: "expired-source-env" })], {
      cwd: sub,
      env: env({ COGNITO_ACCESS_TOKEN: "expired-token" }),
    });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toMatch(
      /The token sent came from COGNITO_ACCESS_TOKEN in the environment \(the same token as in \.env, from --write-token-to-env\), which is sent before the cached token: `unset COGNITO_ACCESS_TOKEN` to use the cache\./,
    );
  });

  it("403 Authorization method mismatch after SigV4 (--agent-arn, no token): says the agent expects OAuth", async () => {
    const result = await runCli(["invoke", '{"prompt":"sigv4-to-jwt"}', "--agent-arn", JWT_ARN], { cwd: tempDir(), env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("AccessDeniedException: Authorization method mismatch");
    expect(result.stderr).toMatch(/expects OAuth/);
    expect(result.stderr).toContain("--bearer-token");
    // It was signed: the fake saw a SigV4 request.
    expect(String(requestsWith("sigv4-to-jwt")[0].headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it("429: retries with backoff (3 attempts), then reports; a single 429 is retried transparently", async () => {
    const failed = await runCli(["invoke", '{"prompt":"throttled"}', "--bearer-token", "t"], { cwd: project, env: env() });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("ThrottlingException: Rate exceeded");
    expect(failed.stderr).toContain("after 3 attempts");
    expect(requestsWith("throttled")).toHaveLength(3);

    const recovered = await runCli(["invoke", '{"prompt":"throttled-once"}', "--bearer-token", "t"], { cwd: project, env: env() });
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toBe("Hello world\n");
    expect(requestsWith("throttled-once")).toHaveLength(2);
  });

  it("an `event: error` mid-stream prints what came, then fails", async () => {
    const result = await runCli(["invoke", '{"prompt":"stream-error"}', "--bearer-token", "t"], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("partial \n");
    expect(result.stderr).toContain("The agent failed while streaming its answer: model call failed");
  });

  it("--json prints one document; JSON answers are pretty-printed; --raw keeps the bytes", async () => {
    const json = await runCli(["invoke", '{"prompt":"json"}', "--bearer-token", "t", "--json", "--session-id", SESSION], {
      cwd: project,
      env: env(),
    });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      agent: "jwt_agent",
      agentRuntimeArn: JWT_ARN,
      qualifier: "DEFAULT",
      local: false,
      auth: "bearer",
      tokenSource: "flag",
      sessionId: SESSION,
      status: 200,
      contentType: "application/json",
      protocol: "HTTP",
      response: { response: "4", status: "success" },
    });
    const pretty = await runCli(["invoke", '{"prompt":"json"}', "--bearer-token", "t"], { cwd: project, env: env() });
    expect(pretty.stdout).toBe('{\n  "response": "4",\n  "status": "success"\n}\n');
    const raw = await runCli(["invoke", '{"prompt":"raw"}', "--bearer-token", "t", "--raw"], { cwd: project, env: env() });
    expect(raw.stdout).toBe('data: "Hello"\n\ndata: " world"\n\n');
  });

  it("--agent-arn without any config: bearer path with COGNITO_ACCESS_TOKEN", async () => {
    const result = await runCli(["invoke", "arn-bearer", "--agent-arn", JWT_ARN], {
      cwd: tempDir(),
      env: env({ COGNITO_ACCESS_TOKEN: "arn-token" }),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Hello world\n");
    expect(requestsWith("arn-bearer")[0].headers.authorization).toBe("Bearer arn-token");
  });
});
