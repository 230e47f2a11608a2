/**
 * The invoke operation with its collaborators replaced: the token cache (refresh before sending,
 * one refresh + retry after a 401, only for cached tokens) and the local runtime record.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InvokeDeps, type InvokeInputs, invoke } from "../../../src/commands/invoke/invoke.js";
import { createContext } from "../../../src/core/context.js";
import { AwsServiceError } from "../../../src/errors.js";
import type { BearerToken, CachedTokenQuery, CachedTokenSource } from "../../../src/invoke/token.js";
import { MemoryOutput } from "../../../src/ui/output.js";
import { NonInteractivePrompter } from "../../../src/ui/prompts.js";
import { CLIENT_ID, DISCOVERY_URL, projectDir } from "../../e2e/invoke-helpers.js";
import { type FakeRuntime, sendError, startFakeRuntime } from "../../fakes/sigv4-runtime.js";
import { testEnv } from "../../support/cli.js";

let bearerFake: FakeRuntime;
let sigv4Fake: FakeRuntime;
let project: string;

beforeAll(async () => {
  project = await projectDir({
    cognito: {
      region: "us-east-1",
      userPoolId: "us-east-1_TestPool",
      clientId: CLIENT_ID,
      username: "tester",
      discoveryUrl: DISCOVERY_URL,
    },
  });
  // Tokens named "stale*" are refused with 401, as the service does for an expired or revoked token.
  bearerFake = await startFakeRuntime({
    auth: "bearer",
    checkToken: (token) =>
      token.startsWith("stale") ? { status: 401, errorType: "UnauthorizedException", message: "Invalid bearer token" } : undefined,
  });
  // The local gateway accepts unverifiable SigV4; this fake verifies against the placeholder secret invoke --local uses.
  sigv4Fake = await startFakeRuntime({ auth: "sigv4", secretAccessKey: "local-gateway-does-not-verify-signatures" });
});

afterAll(async () => {
  await Promise.all([bearerFake.stop(), sigv4Fake.stop()]);
});

class ScriptedCache implements CachedTokenSource {
  readonly queries: CachedTokenQuery[] = [];
  refreshes = 0;
  constructor(
    private readonly first: BearerToken,
    private readonly afterRefresh: BearerToken,
  ) {}
  async get(query: CachedTokenQuery): Promise<BearerToken> {
    this.queries.push(query);
    return this.first;
  }
  async forceRefresh(query: CachedTokenQuery): Promise<BearerToken> {
    this.queries.push(query);
    this.refreshes++;
    return this.afterRefresh;
  }
}

function context(fakeUrl: string, env: NodeJS.ProcessEnv = {}) {
  const output = new MemoryOutput(false, true);
  const ctx = createContext({
    cwd: project,
    env: testEnv({ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: fakeUrl, ...env }),
    globals: { json: false, verbose: true, nonInteractive: true },
    output,
    prompter: new NonInteractivePrompter(),
    stdin: Object.assign(Readable.from([]), { isTTY: false }),
  });
  return { ctx, output };
}

const run = (inputs: InvokeInputs, fakeUrl: string, deps: InvokeDeps, env?: NodeJS.ProcessEnv) => {
  const { ctx, output } = context(fakeUrl, env);
  return { output, done: invoke(inputs, ctx, deps) };
};

const tokensSent = (prompt: string) =>
  bearerFake.requests.filter((r) => r.body.includes(`"${prompt}"`)).map((r) => String(r.headers.authorization).replace(/^Bearer /, ""));

describe("invoke: tokens from the cache", () => {
  it("asks the cache for a token matching the agent's authorizer, valid for at least 120 s", async () => {
    const cache = new ScriptedCache({ token: "cached-ok", source: "cache", refreshed: true }, { token: "unused", source: "cache" });
    const { output, done } = run({ payload: "cache-query" }, bearerFake.url, { tokenCache: cache });
    const result = await done;
    expect(result).toMatchObject({ auth: "bearer", tokenSource: "cache", status: 200, response: "Hello world" });
    expect(output.written).toBe("Hello world\n");
    expect(cache.queries).toHaveLength(1);
    expect(cache.queries[0]).toMatchObject({
      minValiditySeconds: 120,
      authorizer: { discoveryUrl: DISCOVERY_URL, allowedClients: [CLIENT_ID] },
      cognito: { userPoolId: "us-east-1_TestPool", username: "tester" },
    });
    expect(output.debugs.join("\n")).toMatch(/refreshed it first/);
    expect(tokensSent("cache-query")).toEqual(["cached-ok"]);
  });

  it("a 401 with a cached token: refreshes once and retries", async () => {
    const cache = new ScriptedCache({ token: "stale-1", source: "cache" }, { token: "fresh-1", source: "cache", refreshed: true });
    const result = await run({ payload: "retry-401" }, bearerFake.url, { tokenCache: cache }).done;
    expect(result.status).toBe(200);
    expect(cache.refreshes).toBe(1);
    expect(tokensSent("retry-401")).toEqual(["stale-1", "fresh-1"]);
  });

  it("a second 401 after the refresh is reported (retried once only), saying expiry is not the cause", async () => {
    const cache = new ScriptedCache({ token: "stale-2", source: "cache" }, { token: "stale-again", source: "cache" });
    const failure = run({ payload: "retry-401-twice" }, bearerFake.url, { tokenCache: cache }).done;
    await expect(failure).rejects.toBeInstanceOf(AwsServiceError);
    await expect(failure).rejects.toMatchObject({ httpStatus: 401, hint: expect.stringContaining("expiry is not the cause") });
    expect(cache.refreshes).toBe(1);
    expect(tokensSent("retry-401-twice")).toEqual(["stale-2", "stale-again"]);
  });

  it("a 401 with a token the user gave (--bearer-token or COGNITO_ACCESS_TOKEN) is not retried", async () => {
    const cache = new ScriptedCache({ token: "unused", source: "cache" }, { token: "unused", source: "cache" });
    await expect(run({ payload: "flag-401", bearerToken: "stale-flag" }, bearerFake.url, { tokenCache: cache }).done).rejects.toMatchObject(
      { httpStatus: 401 },
    );
    await expect(
      run({ payload: "env-401" }, bearerFake.url, { tokenCache: cache }, { COGNITO_ACCESS_TOKEN: "stale-env" }).done,
    ).rejects.toMatchObject({ httpStatus: 401 });
    expect(cache.refreshes).toBe(0);
    expect(cache.queries).toHaveLength(0);
    expect(tokensSent("flag-401")).toEqual(["stale-flag"]);
    expect(tokensSent("env-401")).toEqual(["stale-env"]);
  });

  it("--bearer-token wins over COGNITO_ACCESS_TOKEN, which wins over the cache", async () => {
    const cache = new ScriptedCache({ token: "cached-loses", source: "cache" }, { token: "unused", source: "cache" });
    const env = { COGNITO_ACCESS_TOKEN: "env-token" };
    expect(
      await run({ payload: "precedence-flag", bearerToken: "flag-token" }, bearerFake.url, { tokenCache: cache }, env).done,
    ).toMatchObject({ tokenSource: "flag" });
    expect(await run({ payload: "precedence-env" }, bearerFake.url, { tokenCache: cache }, env).done).toMatchObject({ tokenSource: "env" });
    expect(tokensSent("precedence-flag")).toEqual(["flag-token"]);
    expect(tokensSent("precedence-env")).toEqual(["env-token"]);
    expect(cache.queries).toHaveLength(0);
  });

  it("no cached token: fails before sending, and never signs with SigV4 instead", async () => {
    const cache: CachedTokenSource = {
      get: async () => {
        const { AgentcoreError } = await import("../../../src/errors.js");
        throw new AgentcoreError("No usable access token for issuer X: nothing matching is in the token cache.", { code: "NoAccessToken" });
      },
      forceRefresh: async () => {
        throw new Error("not expected");
      },
    };
    const before = bearerFake.requests.length;
    await expect(run({ payload: "no-cache" }, bearerFake.url, { tokenCache: cache }).done).rejects.toMatchObject({
      code: "NoBearerToken",
      message: expect.stringContaining("nothing matching is in the token cache"),
    });
    expect(bearerFake.requests.length).toBe(before);
  });
});

describe("invoke --local", () => {
  const localTarget = (url: string, auth: "jwt" | "iam") => async (_env: NodeJS.ProcessEnv, agentName: string) => ({
    agentName,
    gatewayUrl: url,
    agentRuntimeArn: `arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/${agentName}`,
    logFile: `/tmp/agentcore-ts-home/local/${agentName}.log`,
    auth,
  });

  it("sends the bearer request to the local gateway and names the local log file when the agent fails (424)", async () => {
    bearerFake.setResponder((request, res) =>
      request.body.includes("local-424")
        ? sendError(res, 424, "RuntimeClientError", "The agent exited while handling the request.")
        : sendError(res, 500, "InternalServerException", "unexpected"),
    );
    try {
      const failure = run({ payload: "local-424", local: true, bearerToken: "tok" }, "http://127.0.0.1:9", {
        readLocal: localTarget(bearerFake.url, "jwt"),
      }).done;
      await expect(failure).rejects.toMatchObject({
        message: expect.stringContaining("RuntimeClientError: The agent exited while handling the request."),
        hint: expect.stringContaining("/tmp/agentcore-ts-home/local/jwt_agent.log"),
      });
      const [request] = bearerFake.requests.filter((r) => r.body.includes("local-424"));
      expect(request.arn).toBe("arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/jwt_agent");
    } finally {
      const { defaultResponder } = await import("../../fakes/sigv4-runtime.js");
      bearerFake.setResponder(defaultResponder);
    }
  });

  it("signs IAM requests to the local gateway with placeholder credentials, not the user's", async () => {
    const { output, done } = run({ payload: "local-iam", local: true, agentName: "iam_agent" }, "http://127.0.0.1:9", {
      readLocal: localTarget(sigv4Fake.url, "iam"),
    });
    const result = await done;
    expect(result).toMatchObject({ auth: "sigv4", local: true, response: "Hello world" });
    const [request] = sigv4Fake.requests.filter((r) => r.body.includes("local-iam"));
    expect(request.sigv4).toMatchObject({ valid: true, accessKeyId: "AKIDLOCALGATEWAY0000" });
    expect(output.warnings).toEqual([]);
  });

  it("a local gateway that does not answer: says so and names launch --local, on both auth paths (not the AWS endpoint hints)", async () => {
    for (const inputs of [{ bearerToken: "tok" }, { agentName: "iam_agent" }]) {
      const failure = run({ payload: "local-down", local: true, ...inputs }, "http://127.0.0.1:9", {
        readLocal: localTarget("http://127.0.0.1:9", "jwt"),
      }).done;
      await expect(failure).rejects.toMatchObject({
        code: "LocalGatewayDown",
        message: expect.stringContaining("http://127.0.0.1:9 is not answering"),
        hint: expect.stringContaining("agentcore-ts launch --local"),
      });
    }
  });

  it("warns when the local runtime of this agent name was started from another project's config", async () => {
    const elsewhere = async (env: NodeJS.ProcessEnv, agentName: string) => ({
      ...(await localTarget(bearerFake.url, "jwt")(env, agentName)),
      configFile: "/elsewhere/.agentcore.json",
    });
    const { output, done } = run({ payload: "local-elsewhere", local: true, bearerToken: "tok" }, "http://127.0.0.1:9", {
      readLocal: elsewhere,
    });
    await done;
    expect(output.warnings.join("\n")).toMatch(/started from \/elsewhere\/\.agentcore\.json, not .*: this invokes that project's agent/);
    const here = async (env: NodeJS.ProcessEnv, agentName: string) => ({
      ...(await localTarget(bearerFake.url, "jwt")(env, agentName)),
      configFile: `${project}/.agentcore.json`,
    });
    const second = run({ payload: "local-here", local: true, bearerToken: "tok" }, "http://127.0.0.1:9", { readLocal: here });
    await second.done;
    expect(second.output.warnings).toEqual([]);
  });

  it("warns when the local runtime was started with another auth mode than the config now has", async () => {
    const { output, done } = run({ payload: "local-stale", local: true, bearerToken: "tok" }, "http://127.0.0.1:9", {
      readLocal: localTarget(bearerFake.url, "iam"),
    });
    await done;
    expect(output.warnings.join("\n")).toMatch(/restart `agentcore-ts launch --local`/);
  });
});
