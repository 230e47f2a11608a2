/**
 * The OpenID Connect discovery document (OpenID Connect Discovery 1.0, section 4:
 * https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig) and the one way this tool
 * fetches it, for `configure`'s check and the JWT authorizer's cache alike. AgentCore reads two fields
 * from it: issuer and jwks_uri.
 *
 * Failures come back as values, not errors: each caller words them for its reader (configure names
 * the flag that skips the check; the authorizer turns them into a 401 or a 503).
 */

/** The discovery document fields AgentCore (and so this tool) uses. */
export interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
}

export interface JsonFetchOptions {
  /** Injected for tests. */
  fetch?: typeof fetch;
  /** Default DEFAULT_FETCH_TIMEOUT_MS. */
  timeoutMs?: number;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 5_000;

/** Why a JSON document could not be fetched. */
export type JsonFetchFailure =
  | {
      kind: "unreachable";
      /** What fetch threw. */
      error: unknown;
      /** No answer within the timeout. */
      timedOut: boolean;
      /** The network reason (a code such as ECONNREFUSED, or a message such as "bad port"), when fetch gave one. */
      reason?: string;
    }
  | { kind: "status"; status: number }
  | { kind: "not-json" };

/** Why a discovery document could not be had: not fetched, or without the fields AgentCore needs. */
export type DiscoveryFailure = JsonFetchFailure | { kind: "incomplete"; missing: Array<keyof DiscoveryDocument> };

export type Fetched<T, F> = { ok: true; value: T } | { ok: false; failure: F };

/** GETs `url` as JSON (discovery documents, JWKS). Never throws. */
export async function fetchJson(url: string, options: JsonFetchOptions = {}): Promise<Fetched<unknown, JsonFetchFailure>> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS),
      headers: { accept: "application/json" },
      redirect: "follow",
    });
  } catch (error) {
    // fetch's TypeError says only "fetch failed": the reason is in its cause (a code, or a message such as "bad port").
    const e = error as { name?: string; cause?: { code?: string; message?: string } };
    const timedOut = e.name === "TimeoutError" || e.name === "AbortError";
    return { ok: false, failure: { kind: "unreachable", error, timedOut, reason: e.cause?.code ?? e.cause?.message } };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, failure: { kind: "status", status: response.status } };
  }
  try {
    return { ok: true, value: await response.json() };
  } catch {
    return { ok: false, failure: { kind: "not-json" } };
  }
}

/** Fetches the discovery document at `url` and checks it names an issuer and a JWKS URI. Never throws. */
export async function fetchDiscovery(url: string, options: JsonFetchOptions = {}): Promise<Fetched<DiscoveryDocument, DiscoveryFailure>> {
  const fetched = await fetchJson(url, options);
  if (!fetched.ok) return fetched;
  const doc = (fetched.value ?? {}) as Partial<Record<string, unknown>>;
  const fields: Array<keyof DiscoveryDocument> = ["issuer", "jwks_uri"];
  const missing = fields.filter((key) => typeof doc[key] !== "string" || doc[key] === "");
  if (missing.length > 0) return { ok: false, failure: { kind: "incomplete", missing } };
  return { ok: true, value: { issuer: doc.issuer as string, jwks_uri: doc.jwks_uri as string } };
}
