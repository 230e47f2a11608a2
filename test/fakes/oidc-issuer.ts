/**
 * A fake OIDC issuer on loopback (jose): discovery + JWKS, key rotation, a "down" switch, and token
 * minting, including forged tokens the authorizer must reject. Tokens look like Cognito access
 * tokens by default (client_id, scope, token_use "access", no aud).
 *
 *   const issuer = await startFakeIssuer();
 *   const token = await issuer.mint({ client_id: "abc" });
 *   issuer.rotate();            // new signing key and kid; the old key leaves the JWKS
 *   issuer.down = true;         // discovery and JWKS connections are dropped
 *   await issuer.close();
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { base64url, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export interface MintOptions {
  /** Seconds from now until exp (default 3600). Negative: already expired. */
  expiresIn?: number;
  /** Sign with this key instead of the current one (e.g. a key the JWKS does not hold). */
  key?: SigningKey;
  /** Override the kid header (default: the key's kid). null omits it. */
  kid?: string | null;
  /** Override the token's iss (default: the issuer). */
  iss?: string;
}

export interface FakeIssuer {
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly jwksUrl: string;
  /** The key new tokens are signed with. */
  readonly currentKey: SigningKey;
  /** When true, every connection is dropped (discovery and JWKS unreachable). */
  down: boolean;
  /** How many times each document was fetched. */
  readonly fetches: { discovery: number; jwks: number };
  /** Signs a Cognito-access-token-like JWT with the given claims (defaults: sub, client_id, scope, token_use, iat, exp, iss). */
  mint(claims?: JWTPayload, options?: MintOptions): Promise<string>;
  /** A fresh key pair that is NOT in the JWKS. */
  newKey(alg?: string, kid?: string): Promise<SigningKey>;
  /** Replaces the signing key with a new one (new kid); the JWKS then holds only the new key unless keepOld. */
  rotate(options?: { keepOld?: boolean }): Promise<SigningKey>;
  /** Forged tokens, for tests that must see them rejected. */
  forge: {
    /** alg "none", no signature. */
    none(claims?: JWTPayload): Promise<string>;
    /** HS256 signed with the issuer's PUBLIC key (SPKI PEM) as the HMAC secret: the classic key-confusion attack. */
    hs256WithPublicKey(claims?: JWTPayload): Promise<string>;
    /** A valid signature from a key that is not the issuer's, but with the issuer's current kid. */
    otherKey(claims?: JWTPayload): Promise<string>;
    /** A valid token whose payload was replaced afterwards (signature no longer matches). */
    changedPayload(claims?: JWTPayload, changes?: JWTPayload): Promise<string>;
  };
  close(): Promise<void>;
}

export const DEFAULT_CLIENT_ID = "fakeclient0123456789abcdef";

export async function newSigningKey(alg = "RS256", kid = `key-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export async function startFakeIssuer(options: { alg?: string; poolId?: string } = {}): Promise<FakeIssuer> {
  const alg = options.alg ?? "RS256";
  const poolId = options.poolId ?? "local_fakePool";
  let keys: SigningKey[] = [await newSigningKey(alg)];
  const fetches = { discovery: 0, jwks: 0 };
  let issuer = "";

  const server = http.createServer((req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const url = req.url ?? "/";
    if (req.method === "GET" && url === `/${poolId}/.well-known/openid-configuration`) {
      fetches.discovery++;
      res.writeHead(200, { "content-type": "application/json" });
      // The members a Cognito pool with a domain publishes; OAuth clients (the MCP SDK's discovery) require the endpoints.
      res.end(
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          authorization_endpoint: `${base}/oauth2/authorize`,
          token_endpoint: `${base}/oauth2/token`,
          response_types_supported: ["code", "token"],
          subject_types_supported: ["public"],
          scopes_supported: ["openid", "email", "profile"],
          id_token_signing_alg_values_supported: [alg],
        }),
      );
      return;
    }
    if (req.method === "GET" && url === `/${poolId}/.well-known/jwks.json`) {
      fetches.jwks++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${base}/${poolId}`;

  const defaults = (claims: JWTPayload): JWTPayload => ({
    sub: "11111111-2222-3333-4444-555555555555",
    client_id: DEFAULT_CLIENT_ID,
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    username: "testuser",
    ...claims,
  });

  const mint = async (claims: JWTPayload = {}, mintOptions: MintOptions = {}): Promise<string> => {
    const key = mintOptions.key ?? keys[keys.length - 1]!;
    const now = Math.floor(Date.now() / 1000);
    const kid = mintOptions.kid === undefined ? key.kid : mintOptions.kid;
    const header = { alg: key.alg, typ: "JWT", ...(kid === null ? {} : { kid }) };
    return new SignJWT({ iat: now, exp: now + (mintOptions.expiresIn ?? 3600), iss: mintOptions.iss ?? issuer, ...defaults(claims) })
      .setProtectedHeader(header)
      .sign(key.privateKey);
  };

  const encodeSegment = (value: unknown) => base64url.encode(JSON.stringify(value));
  const claimsFor = (claims: JWTPayload = {}): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    return { iat: now, exp: now + 3600, iss: issuer, ...defaults(claims) };
  };

  const state: FakeIssuer = {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    get currentKey() {
      return keys[keys.length - 1]!;
    },
    down: false,
    fetches,
    mint,
    newKey: (keyAlg = alg, kid?: string) => newSigningKey(keyAlg, kid),
    async rotate(rotateOptions = {}) {
      const key = await newSigningKey(alg);
      keys = rotateOptions.keepOld ? [...keys, key] : [key];
      return key;
    },
    forge: {
      async none(claims) {
        return `${encodeSegment({ alg: "none", typ: "JWT" })}.${encodeSegment(claimsFor(claims))}.`;
      },
      async hs256WithPublicKey(claims) {
        const current = keys[keys.length - 1]!;
        const secret = new TextEncoder().encode(await exportSPKI(current.publicKey));
        return new SignJWT(claimsFor(claims)).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: current.kid }).sign(secret);
      },
      async otherKey(claims) {
        const stranger = await newSigningKey(alg, keys[keys.length - 1]!.kid);
        return mint(claims, { key: stranger });
      },
      async changedPayload(claims, changes = { client_id: "someone-else", username: "admin" }) {
        const [header, , signature] = (await mint(claims)).split(".");
        return `${header}.${encodeSegment({ ...claimsFor(claims), ...changes })}.${signature}`;
      },
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}
