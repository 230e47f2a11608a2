/** The authorizer's first check: is the bearer token a signed JWT with an accepted algorithm? */
import { type CompactJWSHeaderParameters, decodeJwt, decodeProtectedHeader, type JWTPayload } from "jose";
import type { AuthorizerCheck } from "./types.js";

/** Asymmetric signature algorithms only: never "none", never HS* (a public key must not work as an HMAC secret). */
export const ACCEPTED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"] as const;

/**
 * The JWS compact serialization, strictly: three non-empty base64url segments (RFC 7515 sections 2, 3.1
 * and 7.1: base64url without padding, no whitespace). jose's decoder skips spaces, tabs and "=", so this
 * is checked before anything is decoded.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface FormatVerdict {
  check: AuthorizerCheck;
  /** Set when the check passed. */
  header?: CompactJWSHeaderParameters;
  /** The decoded (unverified) claims, when the token could be decoded. */
  payload?: JWTPayload;
}

/** The "format" check: decodes the token (without verifying it) and refuses algorithms outside ACCEPTED_ALGORITHMS. */
export function formatCheck(token: string): FormatVerdict {
  const decoded = decodeToken(token);
  if ("problem" in decoded) {
    return {
      check: {
        name: "format",
        status: "fail",
        detail: decoded.problem,
        formatProblem: decoded.reason,
        fix: 'Send the access token itself: three base64url parts separated by dots, without quotes or the "Bearer " prefix.',
      },
    };
  }
  const { header, payload } = decoded;
  const alg = String(header.alg);
  if (!(ACCEPTED_ALGORITHMS as readonly string[]).includes(alg)) {
    return {
      check: {
        name: "format",
        status: "fail",
        formatProblem: "algorithm",
        detail: `header alg "${alg}" is not accepted: only asymmetric algorithms (${ACCEPTED_ALGORITHMS.join(", ")})`,
        fix: "Use an access token issued and signed by your identity provider (Cognito signs with RS256).",
      },
      payload,
    };
  }
  return {
    check: { name: "format", status: "pass", detail: `a signed JWT (alg ${alg}${header.kid ? `, kid ${header.kid}` : ""})` },
    header,
    payload,
  };
}

function decodeToken(
  token: string,
): { header: CompactJWSHeaderParameters; payload: JWTPayload } | { problem: string; reason: "syntax" | "parse" } {
  if (token === "") return { problem: "the token is empty", reason: "syntax" };
  const parts = token.split(".");
  if (parts.length !== 3) {
    return {
      reason: "syntax",
      problem:
        parts.length === 5
          ? "an encrypted JWT (JWE), not a signed access token"
          : `not a JWT: ${parts.length} dot-separated part(s), expected 3`,
    };
  }
  if (!COMPACT_JWS.test(token)) {
    const bad = parts.findIndex((part) => !/^[A-Za-z0-9_-]+$/.test(part));
    const what = parts[bad] === "" ? "is empty" : "holds characters outside base64url (A-Z a-z 0-9 - _; no spaces, no = padding)";
    return { reason: "syntax", problem: `not a JWT: its ${["header", "payload", "signature"][bad]} segment ${what}` };
  }
  let header: CompactJWSHeaderParameters;
  try {
    header = decodeProtectedHeader(token) as CompactJWSHeaderParameters;
  } catch {
    return { reason: "parse", problem: "not a JWT: the header is not base64url-encoded JSON" };
  }
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    return { reason: "parse", problem: "not a JWT: the payload is not base64url-encoded JSON claims" };
  }
  if (typeof header.alg !== "string") return { reason: "parse", problem: "not a JWT: the header has no alg" };
  return { header, payload };
}
