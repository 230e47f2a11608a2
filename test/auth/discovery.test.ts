/** The one discovery fetch: its failures as values (callers word them; see the authorizer and configure tests). */
import { describe, expect, it } from "vitest";
import { fetchDiscovery, fetchJson } from "../../src/auth/discovery.js";

const URL = "https://issuer.example/.well-known/openid-configuration";

function answering(body: string, status = 200): typeof fetch {
  return async () => new Response(body, { status, headers: { "content-type": "application/json" } });
}

describe("fetchDiscovery", () => {
  it("returns issuer and jwks_uri, and nothing else", async () => {
    const fetched = await fetchDiscovery(URL, {
      fetch: answering(JSON.stringify({ issuer: "https://issuer.example", jwks_uri: "https://issuer.example/jwks", extra: 1 })),
    });
    expect(fetched).toEqual({ ok: true, value: { issuer: "https://issuer.example", jwks_uri: "https://issuer.example/jwks" } });
  });

  it.each([
    ["{}", { kind: "incomplete", missing: ["issuer", "jwks_uri"] }],
    ["null", { kind: "incomplete", missing: ["issuer", "jwks_uri"] }],
    [JSON.stringify({ issuer: "", jwks_uri: "x" }), { kind: "incomplete", missing: ["issuer"] }],
    ["<html>", { kind: "not-json" }],
  ])("says what is wrong with %s", async (body, failure) => {
    expect(await fetchDiscovery(URL, { fetch: answering(body) })).toEqual({ ok: false, failure });
  });

  it("reports the status of a non-2xx answer, and the network reason of a failed fetch", async () => {
    expect(await fetchJson(URL, { fetch: answering("nope", 503) })).toEqual({ ok: false, failure: { kind: "status", status: 503 } });
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    const fetched = await fetchJson(URL, {
      fetch: async () => {
        throw refused;
      },
    });
    expect(fetched).toEqual({ ok: false, failure: { kind: "unreachable", error: refused, timedOut: false, reason: "ECONNREFUSED" } });
  });

  it("marks a timeout", async () => {
    const fetched = await fetchJson(URL, {
      timeoutMs: 20,
      fetch: (_url, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
    });
    expect(fetched).toMatchObject({ ok: false, failure: { kind: "unreachable", timedOut: true } });
  });
});
