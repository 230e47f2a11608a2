/**
 * The local gateway end to end on loopback: a fake OIDC issuer, the fixture agent as a real process,
 * and the gateway in-process. Each auth row asserts status, x-amzn-ErrorType and message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CustomJwtAuthorizer } from "../../src/config/schema.js";
import { AUTH_METHOD_MISMATCH, type Gateway, type GatewayOptions, startGateway } from "../../src/local/gateway.js";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { post, SESSION_HEADER, SIGV4_HEADER, startTestAgent, type TestAgent, waitFor } from "./gateway-helpers.js";

const ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-AbCdEf1234";
const SESSION = "session-0123456789-0123456789-0123456789";
const PARSE_FAILED = "OAuth authorization failed: Failed to parse token";
const SIGNATURE_FAILED = "OAuth authorization failed: Token signature verification failed";

let issuer: FakeIssuer;
let agent: TestAgent;
const gateways: Gateway[] = [];

async function gateway(
  authorizer: CustomJwtAuthorizer | null,
  extra: Partial<GatewayOptions> = {},
  allowlist: string[] = [],
): Promise<Gateway> {
  const started = await startGateway({
    agent: { name: "my_agent", upstream: agent.url, authorizer, requestHeaderAllowlist: allowlist },
    ...extra,
  });
  gateways.push(started);
  return started;
}

const invocationsPath = (g: Gateway, label = "my_agent", qualifier = "DEFAULT") =>
  `${g.url}/runtimes/${encodeURIComponent(label)}/invocations?qualifier=${qualifier}`;

beforeAll(async () => {
  [issuer, agent] = await Promise.all([startFakeIssuer(), startTestAgent()]);
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await Promise.all([issuer.close(), agent.stop()]);
});

describe("gateway inbound auth (customJWTAuthorizer)", () => {
  let clients: Gateway;
  let strict: Gateway;
  beforeAll(async () => {
    clients = await gateway({ discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] });
    strict = await gateway({
      discoveryUrl: issuer.discoveryUrl,
      allowedAudience: ["api://agent"],
      allowedScopes: ["agent/invoke"],
      customClaims: [
        {
          inboundTokenClaimName: "tenant",
          inboundTokenClaimValueType: "STRING",
          authorizingClaimMatchValue: { claimMatchOperator: "EQUALS", claimMatchValue: { matchValueString: "acme" } },
        },
      ],
    });
  });

  it("answers every row of the auth matrix like the service", async () => {
    const now = Math.floor(Date.now() / 1000);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const unauthorized = { status: 401, type: "UnauthorizedException" };
    const rows: Array<[string, Gateway, Record<string, string>, { status: number; type: string | null }, string | RegExp]> = [
      ["missing Authorization", clients, {}, unauthorized, "Missing Authentication Token"],
      ["empty bearer", clients, { authorization: "Bearer " }, unauthorized, "Missing Authentication Token"],
      [
        "SigV4 on a JWT agent",
        clients,
        { authorization: SIGV4_HEADER },
        { status: 403, type: "AccessDeniedException" },
        AUTH_METHOD_MISMATCH,
      ],
      ["Basic scheme", clients, { authorization: "Basic dXNlcjpwYXNz" }, unauthorized, "Missing Authentication Token"],
      ["not a JWS", clients, bearer("not-a-jwt"), unauthorized, PARSE_FAILED],
      ["unparseable token", clients, bearer("not.a.token"), { status: 403, type: "AccessDeniedException" }, PARSE_FAILED],
      ["alg none", clients, bearer(await issuer.forge.none()), unauthorized, PARSE_FAILED],
      ["HS256 with the public key", clients, bearer(await issuer.forge.hs256WithPublicKey()), unauthorized, SIGNATURE_FAILED],
      ["signature from another key", clients, bearer(await issuer.forge.otherKey()), unauthorized, SIGNATURE_FAILED],
      ["changed payload", clients, bearer(await issuer.forge.changedPayload()), unauthorized, SIGNATURE_FAILED],
      ["unknown kid", clients, bearer(await issuer.mint({}, { kid: "rotated-away" })), unauthorized, SIGNATURE_FAILED],
      [
        "iss with a trailing slash",
        clients,
        bearer(await issuer.mint({}, { iss: `${issuer.issuer}/` })),
        unauthorized,
        "Claim 'iss' value mismatch with configuration.",
      ],
      [
        "expired by one second",
        clients,
        bearer(await issuer.mint({ exp: now - 1 })),
        unauthorized,
        "OAuth authorization failed: Token has expired",
      ],
      [
        "expires within 60 s",
        clients,
        bearer(await issuer.mint({ exp: now + 30 })),
        unauthorized,
        "OAuth authorization failed: Token has expired",
      ],
      [
        "nbf in the future",
        clients,
        bearer(await issuer.mint({ nbf: now + 300 })),
        unauthorized,
        "OAuth authorization failed: Token is not yet valid",
      ],
      [
        "client_id of another client",
        clients,
        bearer(await issuer.mint({ client_id: "other-client" })),
        unauthorized,
        "Claim 'client_id' value mismatch with configuration.",
      ],
      [
        "access token on an audience agent",
        strict,
        bearer(await issuer.mint()),
        unauthorized,
        "Claim 'aud' value mismatch with configuration.",
      ],
      [
        "scope not allowed",
        strict,
        bearer(await issuer.mint({ aud: "api://agent" })),
        unauthorized,
        "Claim 'scope' value mismatch with configuration.",
      ],
      [
        "custom claim mismatch",
        strict,
        bearer(await issuer.mint({ aud: "api://agent", scope: "agent/invoke", tenant: "other" })),
        unauthorized,
        "Claim 'tenant' value mismatch with configuration.",
      ],
      ["valid token", clients, bearer(await issuer.mint()), { status: 200, type: null }, ""],
      [
        "valid token, every claim rule",
        strict,
        bearer(await issuer.mint({ aud: "api://agent", scope: "agent/invoke", tenant: "acme" })),
        { status: 200, type: null },
        "",
      ],
    ];
    for (const [label, target, headers, expected, message] of rows) {
      const answer = await post(invocationsPath(target), { prompt: "hi" }, headers);
      expect({ label, status: answer.status, type: answer.headers.get("x-amzn-errortype") }).toEqual({ label, ...expected });
      if (expected.status !== 200) {
        expect(answer.headers.get("content-type"), label).toBe("application/json");
        if (typeof message === "string") expect(answer.body.message, label).toBe(message);
        else expect(answer.body.message, label).toMatch(message);
      } else {
        expect((answer.body.echo as { prompt: string }).prompt, label).toBe("hi");
      }
    }
  });

  it("points WWW-Authenticate at the gateway's protected resource metadata", async () => {
    const answer = await post(invocationsPath(clients, ARN), { prompt: "hi" });
    const expectedUrl = `${clients.url}/runtimes/${encodeURIComponent(ARN)}/invocations/.well-known/oauth-protected-resource?qualifier=DEFAULT`;
    expect(answer.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${expectedUrl}"`);
    const metadata = await (await fetch(expectedUrl)).json();
    expect(metadata).toEqual({
      resource: `${clients.url}/runtimes/${encodeURIComponent(ARN)}/invocations?qualifier=DEFAULT`,
      authorization_servers: [issuer.issuer],
    });
    // 401/403 for other reasons carry no WWW-Authenticate challenge.
    expect((await post(invocationsPath(clients), {}, { authorization: SIGV4_HEADER })).headers.get("www-authenticate")).toBeNull();
  });
});

describe("gateway inbound auth (IAM agent)", () => {
  it("rejects bearer tokens as a method mismatch, accepts SigV4-shaped requests without verifying them", async () => {
    const iam = await gateway(null);
    const bearer = await post(invocationsPath(iam), { prompt: "hi" }, { authorization: `Bearer ${await issuer.mint()}` });
    expect([bearer.status, bearer.headers.get("x-amzn-errortype"), bearer.body.message]).toEqual([
      403,
      "AccessDeniedException",
      AUTH_METHOD_MISMATCH,
    ]);
    expect(bearer.headers.get("www-authenticate")).toBeNull();
    const unsigned = await post(invocationsPath(iam), { prompt: "hi" });
    expect([unsigned.status, unsigned.headers.get("x-amzn-errortype")]).toEqual([403, "MissingAuthenticationTokenException"]);
    expect(unsigned.body.message).toMatch(/^Missing Authentication Token/);
    const signed = await post(invocationsPath(iam), { prompt: "hi" }, { authorization: SIGV4_HEADER });
    expect(signed.status).toBe(200);
    expect((signed.body.headers as Record<string, string>).authorization).toBeUndefined();
  });
});

describe("gateway routing and forwarding", () => {
  let open: Gateway;
  let withAuthHeader: Gateway;
  let token: string;
  beforeAll(async () => {
    const authorizer = { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] };
    open = await gateway(authorizer, {}, ["X-Api-Key", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"]);
    withAuthHeader = await gateway(authorizer, {}, ["Authorization"]);
    token = await issuer.mint();
  });
  const auth = () => ({ authorization: `Bearer ${token}` });

  it("routes the cloud path by name or percent-encoded ARN, /invocations and /ping; 404 otherwise", async () => {
    expect((await post(invocationsPath(open, ARN), { prompt: "arn" }, auth())).status).toBe(200);
    expect((await post(`${open.url}/invocations`, { prompt: "direct" }, auth())).status).toBe(200);
    expect((await post(`${open.url}/runtimes/my_agent/invocations`, { prompt: "no qualifier" }, auth())).status).toBe(200);
    const ping = await fetch(`${open.url}/ping`);
    expect([ping.status, ((await ping.json()) as { status: string }).status]).toEqual([200, "Healthy"]);

    const unknown = await post(invocationsPath(open, "other_agent"), {}, auth());
    expect([unknown.status, unknown.headers.get("x-amzn-errortype")]).toEqual([404, "ResourceNotFoundException"]);
    expect(unknown.body.message).toMatch(/No agent named 'other_agent'/);
    const qualifier = await post(invocationsPath(open, "my_agent", "PROD"), {}, auth());
    expect([qualifier.status, qualifier.headers.get("x-amzn-errortype"), qualifier.body.message]).toEqual([
      404,
      "ResourceNotFoundException",
      "No endpoint 'PROD' for agent 'my_agent': the local runtime serves only the DEFAULT endpoint.",
    ]);
    const route = await fetch(`${open.url}/nothing-here`);
    expect([route.status, route.headers.get("x-amzn-errortype")]).toEqual([404, "UnknownOperationException"]);
  });

  it("generates, validates, forwards and echoes the session id; adds a request id", async () => {
    const generated = await post(invocationsPath(open), { prompt: "s" }, auth());
    const sessionId = generated.headers.get(SESSION_HEADER)!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const received = generated.body.headers as Record<string, string>;
    expect(received[SESSION_HEADER]).toBe(sessionId);
    expect(received["x-amzn-bedrock-agentcore-runtime-request-id"]).toMatch(/^[0-9a-f-]{36}$/);

    const given = await post(invocationsPath(open), { prompt: "s" }, { ...auth(), [SESSION_HEADER]: SESSION });
    expect(given.headers.get(SESSION_HEADER)).toBe(SESSION);
    expect((given.body.headers as Record<string, string>)[SESSION_HEADER]).toBe(SESSION);

    for (const bad of ["short-session", "x".repeat(257)]) {
      const answer = await post(invocationsPath(open), { prompt: "s" }, { ...auth(), [SESSION_HEADER]: bad });
      expect([answer.status, answer.headers.get("x-amzn-errortype")]).toEqual([400, "ValidationException"]);
      expect(answer.body.message).toMatch(/Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length/);
    }
  });

  it("forwards only allowlisted headers (Authorization only when allowlisted), the body as is, Content-Type and Accept", async () => {
    const headers = {
      ...auth(),
      "x-api-key": "k-123",
      "x-amzn-bedrock-agentcore-runtime-custom-tenant": "acme",
      "x-not-allowlisted": "nope",
      accept: "application/json, text/event-stream",
      "content-type": "text/plain; charset=utf-8",
    };
    const answer = await post(invocationsPath(open), "raw text, not JSON", headers);
    const received = answer.body.headers as Record<string, string>;
    expect(received["x-api-key"]).toBe("k-123");
    expect(received["x-amzn-bedrock-agentcore-runtime-custom-tenant"]).toBe("acme");
    expect(received["x-not-allowlisted"]).toBeUndefined();
    expect(received.authorization).toBeUndefined();
    expect(received.accept).toBe("application/json, text/event-stream");
    expect(answer.body.contentType).toBe("text/plain; charset=utf-8");
    expect(answer.body.echo).toEqual({ raw: "raw text, not JSON" });

    const forwarded = await post(invocationsPath(withAuthHeader), { prompt: "a" }, { ...auth(), "x-api-key": "k" });
    const got = forwarded.body.headers as Record<string, string>;
    expect(got.authorization).toBe(`Bearer ${token}`);
    expect(got["x-api-key"]).toBeUndefined();
  });

  it("forwards a large body and a chunked body (no content-length) whole", async () => {
    const large = await post(invocationsPath(open), { prompt: "x".repeat(200_000) }, auth());
    expect([large.status, (large.body.echo as { prompt: string }).prompt.length]).toEqual([200, 200_000]);
    const parts = ['{"prompt":"', "y".repeat(70_000), '"}'];
    const chunked = await fetch(invocationsPath(open), {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    const echoed = (await chunked.json()) as { echo: { prompt: string }; headers: Record<string, string> };
    expect([chunked.status, echoed.echo.prompt.length]).toEqual([200, 70_000]);
    // Framed either way: chunked, or with its length when the whole body was already buffered when the gateway
    // forwarded it (undici then counts it; Node 22's 64 KiB stream highWaterMark buffers this one whole).
    const bytes = parts.join("").length;
    expect(echoed.headers["transfer-encoding"] === "chunked" || echoed.headers["content-length"] === String(bytes)).toBe(true);
  });

  it("streams SSE chunk by chunk: the first chunk arrives while the agent still holds the stream open", async () => {
    const response = await fetch(invocationsPath(open), {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ prompt: "__stream__" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe('data: {"chunk":1}\n\n');
    // The agent has not finished: it only does when told.
    expect(await (await fetch(`${agent.url}/__release`)).text()).toBe("released");
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += decoder.decode(value);
    }
    expect(rest).toBe('data: {"chunk":2}\n\n');
  });

  it("turns an agent error into 424 RuntimeClientError and caps the response size", async () => {
    const failed = await post(invocationsPath(open), { prompt: "__error__" }, auth());
    expect([failed.status, failed.headers.get("x-amzn-errortype")]).toEqual([424, "RuntimeClientError"]);
    expect(failed.body.message).toMatch(/^Received error \(500\) from the agent: \{"error":"the agent failed on purpose"\}/);

    const capped = await gateway({ discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] }, { maxResponseBytes: 1000 });
    const big = await post(invocationsPath(capped), { prompt: "__big__", size: 5000 }, auth());
    expect([big.status, big.headers.get("x-amzn-errortype")]).toEqual([424, "RuntimeClientError"]);
    expect(big.body.message).toMatch(/exceeds the gateway's limit of 1000 bytes/);
    expect((await post(invocationsPath(capped), { prompt: "__big__", size: 100 }, auth())).status).toBe(200);
  });
});

describe("gateway resilience", () => {
  it("answers 424 when the agent crashes (before or mid-stream) and keeps serving", async () => {
    const local = await startTestAgent();
    const events: string[] = [];
    const g = await startGateway({
      agent: { name: "my_agent", upstream: local.url, authorizer: null },
      log: (e) => events.push(`${e.status} ${e.problem ?? ""}`),
      agentLogHint: "the agent log: /tmp/agent.log",
    });
    gateways.push(g);
    const sig = { authorization: SIGV4_HEADER };
    try {
      // Mid-stream: the first chunk arrives, then the stream is cut.
      const response = await fetch(invocationsPath(g), {
        method: "POST",
        headers: { ...sig, "content-type": "application/json" },
        body: JSON.stringify({ prompt: "__crash_mid__" }),
      });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('"chunk":1');
      await expect(
        (async () => {
          for (;;) if ((await reader.read()).done) return "ended cleanly";
        })(),
      ).rejects.toThrow();
      await waitFor(
        () => events.some((e) => e.includes("closed the stream before it finished")) || undefined,
        5000,
        "the mid-stream log event",
      );

      // The agent is gone: connection refused -> 424 naming the log.
      const refused = await post(invocationsPath(g), { prompt: "hi" }, sig);
      expect([refused.status, refused.headers.get("x-amzn-errortype")]).toEqual([424, "RuntimeClientError"]);
      expect(refused.body.message).toMatch(/not reachable .*connection refused.*Check the agent log: \/tmp\/agent\.log/);

      // A new agent on the same port; then a crash before answering.
      const again = await startTestAgent(local.port);
      try {
        const crashed = await post(invocationsPath(g), { prompt: "__crash__" }, sig);
        expect([crashed.status, crashed.headers.get("x-amzn-errortype")]).toEqual([424, "RuntimeClientError"]);
        expect(crashed.body.message).toMatch(
          /^The agent closed the connection without answering \(connection closed\): it may have crashed\./,
        );
        expect((await fetch(`${g.url}/ping`)).status).toBe(424); // the gateway itself is still up
      } finally {
        await again.stop();
      }
    } finally {
      await local.stop();
    }
  });

  it("refetches the JWKS after a key rotation, and fails closed (503) while the issuer is down", async () => {
    const rotating = await startFakeIssuer();
    try {
      const g = await gateway({ discoveryUrl: rotating.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] });
      const call = async (token: string) => post(invocationsPath(g), { prompt: "r" }, { authorization: `Bearer ${token}` });
      expect((await call(await rotating.mint())).status).toBe(200);
      await rotating.rotate();
      expect((await call(await rotating.mint())).status).toBe(200);
      expect(rotating.fetches.jwks).toBe(2);

      const cold = await gateway({ discoveryUrl: rotating.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] });
      rotating.down = true;
      const down = await post(invocationsPath(cold), { prompt: "r" }, { authorization: `Bearer ${await rotating.mint()}` });
      expect([down.status, down.headers.get("x-amzn-errortype")]).toEqual([503, "ServiceUnavailableException"]);
      expect(down.body.message).toBe("OAuth authorization failed: Unable to reach the token issuer");
      expect((await fetch(`${cold.url}/ping`)).status).toBe(200);
      rotating.down = false;
      expect((await post(invocationsPath(cold), { prompt: "r" }, { authorization: `Bearer ${await rotating.mint()}` })).status).toBe(200);
    } finally {
      await rotating.close();
    }
  });
});
