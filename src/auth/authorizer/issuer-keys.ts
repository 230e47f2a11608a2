/**
 * What the authorizer knows of the issuer: its discovery document and its JWKS, each cached with a
 * maximum age (a failed refresh keeps the last good copy), fetched once however many requests wait for
 * it, and the JWKS refetched (rate-limited) when a token names an unknown kid. Signature verification
 * lives here because it is where the keys are.
 */
import { type CompactJWSHeaderParameters, compactVerify, createLocalJWKSet, type JSONWebKeySet, errors as joseErrors } from "jose";
import { type DiscoveryDocument, type DiscoveryFailure, fetchDiscovery, fetchJson, type JsonFetchOptions } from "../discovery.js";
import { ACCEPTED_ALGORITHMS } from "./token.js";
import type { AuthorizerCheck, JwtAuthorizerOptions } from "./types.js";

const DEFAULT_JWKS_REFETCH_COOLDOWN_MS = 5_000;
const DEFAULT_DISCOVERY_MAX_AGE_MS = 60 * 60_000;
const DEFAULT_JWKS_MAX_AGE_MS = 10 * 60_000;

/** A failed fetch: `unreachable` (network, timeout, 5xx) answers 503; an invalid answer is the issuer's misconfiguration (401). */
export class IssuerFetchError extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
  }

  /** `error` as an IssuerFetchError: anything else counts as the issuer being unreachable. */
  static from(error: unknown): IssuerFetchError {
    return error instanceof IssuerFetchError ? error : new IssuerFetchError((error as Error).message, true);
  }
}

/** The authorizer's wording of a failed fetch of the `what` ("discovery document", "JWKS") at `url`. */
function issuerFetchError(what: string, url: string, failure: DiscoveryFailure): IssuerFetchError {
  switch (failure.kind) {
    case "unreachable":
      return new IssuerFetchError(`the ${what} at ${url} could not be fetched (${failure.reason ?? (failure.error as Error).name})`, true);
    case "status":
      return new IssuerFetchError(`the ${what} at ${url} answered HTTP ${failure.status}`, failure.status >= 500);
    case "not-json":
      return new IssuerFetchError(`the ${what} at ${url} is not JSON`, false);
    case "incomplete":
      return new IssuerFetchError(`the ${what} at ${url} has no issuer or jwks_uri`, false);
  }
}

export interface SignatureVerdict {
  check: AuthorizerCheck;
  /** Set when the JWKS could not be fetched because the issuer is unreachable (the answer is then 503). */
  unreachable?: IssuerFetchError;
}

export class IssuerKeys {
  private discovery?: { doc: DiscoveryDocument; fetchedAt: number };
  private discoveryInFlight?: Promise<DiscoveryDocument>;
  private jwks?: { keySet: ReturnType<typeof createLocalJWKSet>; kids: string[]; fetchedAt: number };
  private jwksInFlight?: Promise<void>;
  private lastKidRefetchAt = Number.NEGATIVE_INFINITY;
  private readonly fetchOptions: JsonFetchOptions;

  constructor(
    private readonly discoveryUrl: string,
    private readonly options: JwtAuthorizerOptions,
    private readonly now: () => number,
    /** Called when a new JWKS replaces the old one (a key may have been withdrawn). */
    private readonly onKeysChanged: () => void,
  ) {
    this.fetchOptions = { fetch: options.fetch ?? fetch, timeoutMs: options.fetchTimeoutMs };
  }

  /** The discovery document (cached); throws an IssuerFetchError with a readable message when it cannot be fetched. */
  async discover(): Promise<DiscoveryDocument> {
    const cached = this.discovery;
    const maxAge = this.options.discoveryMaxAgeMs ?? DEFAULT_DISCOVERY_MAX_AGE_MS;
    if (cached && this.now() - cached.fetchedAt < maxAge) return cached.doc;
    try {
      return await this.refreshDiscovery();
    } catch (error) {
      if (cached) return cached.doc; // a failed refresh keeps the last good document
      throw error;
    }
  }

  private refreshDiscovery(): Promise<DiscoveryDocument> {
    this.discoveryInFlight ??= (async () => {
      try {
        const fetched = await fetchDiscovery(this.discoveryUrl, this.fetchOptions);
        if (!fetched.ok) throw issuerFetchError("discovery document", this.discoveryUrl, fetched.failure);
        this.discovery = { doc: fetched.value, fetchedAt: this.now() };
        return fetched.value;
      } finally {
        this.discoveryInFlight = undefined;
      }
    })();
    return this.discoveryInFlight;
  }

  /** Fetches the JWKS unless a fresh one is cached (`force`: fetch anyway); with a previous set, a failure keeps it. */
  async ensureJwks(jwksUri: string, force: boolean): Promise<void> {
    const maxAge = this.options.jwksMaxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS;
    if (!force && this.jwks && this.now() - this.jwks.fetchedAt < maxAge) return;
    this.jwksInFlight ??= (async () => {
      try {
        const fetched = await fetchJson(jwksUri, this.fetchOptions);
        if (!fetched.ok) throw issuerFetchError("JWKS", jwksUri, fetched.failure);
        const body = fetched.value;
        let keySet: ReturnType<typeof createLocalJWKSet>;
        try {
          keySet = createLocalJWKSet(body as JSONWebKeySet);
        } catch (error) {
          throw new IssuerFetchError(`the JWKS at ${jwksUri} is invalid: ${(error as Error).message}`, false);
        }
        const kids = ((body as JSONWebKeySet).keys ?? []).map((k) => k.kid).filter((k): k is string => typeof k === "string");
        this.jwks = { keySet, kids, fetchedAt: this.now() };
        this.onKeysChanged(); // a key may have been withdrawn: re-verify everything against the new set
      } finally {
        this.jwksInFlight = undefined;
      }
    })();
    try {
      await this.jwksInFlight;
    } catch (error) {
      if (!this.jwks) throw error; // with a previous set, keep using it (known keys stay valid while the issuer is down)
    }
  }

  /** The "signature" check against the issuer's JWKS; an unknown kid refetches it once (rate-limited). */
  async verifySignature(token: string, header: CompactJWSHeaderParameters, jwksUri: string): Promise<SignatureVerdict> {
    const fixKey = "Use a token signed by this issuer's current keys (get a fresh one: agentcore-ts token refresh).";
    try {
      await this.ensureJwks(jwksUri, false);
    } catch (error) {
      const failure = IssuerFetchError.from(error);
      return {
        check: {
          name: "signature",
          status: "fail",
          detail: `not verified: ${failure.message}`,
          fix: "Check that the issuer's JWKS is reachable from here.",
        },
        unreachable: failure.unreachable ? failure : undefined,
      };
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await verifyWithKeySet(token, this.jwks!.keySet);
        return {
          check: { name: "signature", status: "pass", detail: `verified with key ${header.kid ?? "(no kid)"} from the issuer's JWKS` },
        };
      } catch (error) {
        if (error instanceof joseErrors.JWKSNoMatchingKey) {
          if (attempt === 0 && this.mayRefetchForUnknownKid()) {
            try {
              await this.ensureJwks(jwksUri, true);
            } catch {
              // fall through: still no matching key
            }
            continue;
          }
          return {
            check: {
              name: "signature",
              status: "fail",
              detail: `no key ${header.kid ? `with kid "${header.kid}"` : "matching the token"} in the issuer's JWKS (kids: ${this.jwks!.kids.join(", ") || "none"})`,
              fix: fixKey,
            },
          };
        }
        const detail =
          error instanceof joseErrors.JWSSignatureVerificationFailed
            ? "the signature does not verify with the issuer's key"
            : `the signature could not be verified (${(error as Error).message})`;
        return {
          check: {
            name: "signature",
            status: "fail",
            detail,
            fix: "The token was altered or signed by another key: use the token exactly as the issuer returned it.",
          },
        };
      }
    }
  }

  /** One JWKS refetch per cooldown for unknown kids: a stream of junk kids cannot hammer the issuer. */
  private mayRefetchForUnknownKid(): boolean {
    const now = this.now();
    if (now - this.lastKidRefetchAt < (this.options.jwksRefetchCooldownMs ?? DEFAULT_JWKS_REFETCH_COOLDOWN_MS)) return false;
    this.lastKidRefetchAt = now;
    return true;
  }
}

async function verifyWithKeySet(token: string, keySet: ReturnType<typeof createLocalJWKSet>): Promise<void> {
  const algorithms = [...ACCEPTED_ALGORITHMS];
  try {
    await compactVerify(token, keySet, { algorithms });
  } catch (error) {
    // A token without kid against a JWKS with several usable keys: try each (jose leaves that to the caller).
    if (!(error instanceof joseErrors.JWKSMultipleMatchingKeys)) throw error;
    const candidates = error as unknown as AsyncIterable<CryptoKey>;
    for await (const key of candidates) {
      try {
        await compactVerify(token, key, { algorithms });
        return;
      } catch {
        // next candidate
      }
    }
    throw new joseErrors.JWSSignatureVerificationFailed();
  }
}
