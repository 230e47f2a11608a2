/**
 * A2A behind the local gateway, with real processes: the A2A example (examples/typescript-a2a) run by the local
 * runtime (`launch --local`'s), a loopback OIDC issuer for tokens, and two clients: the official @a2a-js/sdk
 * client pointed at the gateway's invoke URL (card through the gateway, messages with a bearer token), and the
 * built `agentcore-ts invoke`.
 */
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from "@a2a-js/sdk/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalRuntime } from "../../src/local/runtime.js";
import { resultText, streamMessage, userMessage } from "../support/a2a.js";
import { runCli } from "../support/cli.js";
import { type ProtocolRuntimes, sendPrintedCurl, startProtocolRuntimes } from "../support/protocol-runtimes.js";

let rt: ProtocolRuntimes;
let project: string;
let jwtRuntime: LocalRuntime;

beforeAll(async () => {
  rt = await startProtocolRuntimes("A2A", "typescript-a2a");
  ({ project, jwt: jwtRuntime } = rt);
}, 60_000);

afterAll(async () => {
  await rt?.stop();
});

const env = (extra: NodeJS.ProcessEnv = {}) => rt.env(extra);
const token = () => rt.token();
const invokeUrl = (runtime: LocalRuntime) => `${runtime.gatewayUrl}/runtimes/${encodeURIComponent(runtime.agentRuntimeArn)}/invocations/`;

/** The official client, every request (card and messages) carrying `authorization` when given. */
function a2aClientFactory(authorization?: string): ClientFactory {
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    if (authorization) headers.set("authorization", authorization);
    return fetch(input, { ...init, headers });
  };
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
}

describe.concurrent("A2A through the local gateway", () => {
  it("the curl example launch --local prints for an A2A agent (JSON-RPC message/send) gets the agent's answer", async () => {
    const response = await sendPrintedCurl(jwtRuntime, await token());
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { jsonrpc: string; id: number; result?: unknown };
    expect(answer).toMatchObject({ jsonrpc: "2.0", id: 1 });
    expect(JSON.stringify(answer.result)).toContain("Hello");
  });

  it("the official A2A client works unchanged: card through the gateway, SendMessage and SendStreamingMessage with a bearer token", async () => {
    const client = await a2aClientFactory(`Bearer ${await token()}`).createFromUrl(invokeUrl(jwtRuntime));
    // The card sends clients back to the gateway (AGENTCORE_RUNTIME_URL), not to the agent's own port.
    expect((await client.getAgentCard()).supportedInterfaces.map((i) => i.url)).toEqual([invokeUrl(jwtRuntime), invokeUrl(jwtRuntime)]);
    const sent = await client.sendMessage({
      tenant: "",
      message: userMessage("What is 6 * 7?"),
      configuration: undefined,
      metadata: undefined,
    });
    expect(resultText(sent)).toBe("6 * 7 = 42");
    const streamed = await streamMessage(client, "12 / 4");
    expect(streamed.text).toBe("12 / 4 = 3");
  });

  it("without a token: the card is refused with 401 and the RFC 9728 challenge, and the client cannot start", async () => {
    const card = await fetch(`${invokeUrl(jwtRuntime)}.well-known/agent-card.json`);
    expect(card.status).toBe(401);
    expect(card.headers.get("www-authenticate")).toMatch(
      /^Bearer resource_metadata=".*\/invocations\/\.well-known\/oauth-protected-resource\?qualifier=DEFAULT"$/,
    );
    await expect(a2aClientFactory().createFromUrl(invokeUrl(jwtRuntime))).rejects.toThrow(/401/);
    const post = await fetch(invokeUrl(jwtRuntime), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(post.status).toBe(401);
  });

  it("streams through the gateway: the first artifact chunk arrives while the agent still holds the rest", async () => {
    const response = await fetch(invokeUrl(jwtRuntime), {
      method: "POST",
      headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "message/stream",
        params: { message: { kind: "message", messageId: "m1", role: "user", parts: [{ kind: "text", text: "__hold__" }] } },
      }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("Streaming one chunk")) seen += (await reader.read()).value ?? "";
    expect(seen).not.toContain("then the rest");
    expect(await (await fetch(`${jwtRuntime.agentUrl}/__release`, { method: "POST" })).text()).toBe("released");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    expect(seen).toContain("then the rest.");
    expect(seen).toContain('"state":"completed"');
  });

  it("agentcore-ts invoke --local: the card, then the prompt as a streamed user message; artifact text printed", async () => {
    const human = await runCli(["invoke", "What is 6 * 7?", "--local"], {
      cwd: project,
      env: env({ COGNITO_ACCESS_TOKEN: await token() }),
    });
    expect([human.code, human.stderr, human.stdout]).toEqual([0, "", "6 * 7 = 42\n"]);
    const json = await runCli(["invoke", '{"prompt":"2 + 2"}', "--local", "--json", "--verbose"], {
      cwd: project,
      env: env({ COGNITO_ACCESS_TOKEN: await token() }),
    });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ protocol: "A2A", auth: "bearer", local: true, status: 200, response: "2 + 2 = 4" });
    expect(json.stderr).toMatch(/GET .*\/invocations\/\.well-known\/agent-card\.json\?qualifier=DEFAULT \(bearer/);
    expect(json.stderr).toMatch(/A2A 0\.3, sending message\/stream/);
  });

  it("agentcore-ts invoke --local without a token sends nothing; with an unparseable one it gets the gateway's 403 row", async () => {
    const none = await runCli(["invoke", "hi", "--local"], { cwd: project, env: env() });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("requires an OAuth bearer token and none is available");
    const bad = await runCli(["invoke", "hi", "--local", "--bearer-token", "not.a.token"], { cwd: project, env: env() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/HTTP 403\) failed: AccessDeniedException: OAuth authorization failed: Failed to parse token/);
    expect(bad.stderr).toContain("send the access token itself");
  });

  it("an IAM A2A agent: GetAgentCard and InvokeAgentRuntime signed with SigV4 through the SDK; a task that fails is an error", async () => {
    const result = await runCli(["invoke", "What is 10 - 4?", "--local", "--agent", "a2a_iam", "--json"], { cwd: project, env: env() });
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(JSON.parse(result.stdout)).toMatchObject({ protocol: "A2A", auth: "sigv4", response: "10 - 4 = 6" });
    const failed = await runCli(["invoke", "__error__", "--local", "--agent", "a2a_iam"], { cwd: project, env: env() });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/The A2A task ended failed: Deliberate failure/);
    // A bearer token for the IAM agent is refused before anything is sent, never silently swapped for SigV4.
    const bearer = await runCli(["invoke", "hi", "--local", "--agent", "a2a_iam", "--bearer-token", await token()], {
      cwd: project,
      env: env(),
    });
    expect(bearer.code).not.toBe(0);
    expect(bearer.stderr).toContain("uses IAM (SigV4) inbound auth: it has no customJWTAuthorizer, so it would refuse a bearer token");
  });
});

describe("A2A conversations", () => {
  it("agentcore-ts invoke continues the agent's conversation within a session (contextId), and a new session starts another", async () => {
    // Own session ids, and not concurrent with the tests above: --session-id becomes the agent's current session,
    // which those tests' invokes would continue.
    const [first, second] = [`ctx-a-${crypto.randomUUID()}`, `ctx-b-${crypto.randomUUID()}`];
    const send = async (prompt: string, sessionId: string) => {
      const run = await runCli(["invoke", prompt, "--local", "--json", "--verbose", "--session-id", sessionId], {
        cwd: project,
        env: env({ COGNITO_ACCESS_TOKEN: await token() }),
      });
      expect(run.code).toBe(0);
      return { doc: JSON.parse(run.stdout) as { contextId?: string; events: { contextId?: string }[] }, stderr: run.stderr };
    };
    const one = await send("1 + 1", first);
    expect(one.doc.contextId).toMatch(/^[0-9a-f-]{36}$/);
    expect(one.stderr).not.toMatch(/in context/);
    // The second message carries the agent's contextId: the agent (@a2a-js/sdk) answers in the same context.
    const two = await send("2 + 2", first);
    expect(two.stderr).toContain(`sending message/stream in context ${one.doc.contextId}`);
    expect(two.doc.contextId).toBe(one.doc.contextId);
    expect(new Set(two.doc.events.map((event) => event.contextId))).toEqual(new Set([one.doc.contextId]));
    const other = await send("3 + 3", second);
    expect(other.doc.contextId).not.toBe(one.doc.contextId);
  });
});

describe("A2A agent crash", () => {
  it("the agent dies before answering: 424 RuntimeClientError with the agent's log in the hint", async () => {
    const result = await runCli(["invoke", "__crash__", "--local", "--agent", "a2a_iam"], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 424\) failed: RuntimeClientError/);
    expect(result.stderr).toMatch(/Read the local agent's log: .*\.log/);
  });
});
