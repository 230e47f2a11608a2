/** What the bench scripts share: a loopback OIDC issuer with one valid token, percentiles and command-line options. */
import http from "node:http";

/** A loopback issuer (discovery + JWKS) and an RS256 access token it signed, for a full customJWTAuthorizer path. */
export async function startIssuer() {
  const { SignJWT, exportJWK, generateKeyPair } = await import("jose");
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "bench", alg: "RS256", use: "sig" };
  let issuer = "";
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url.endsWith("/openid-configuration")) res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }));
    else res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${server.address().port}/local_bench`;
  const clientId = "benchclient";
  const token = await new SignJWT({ client_id: clientId, token_use: "access", scope: "aws.cognito.signin.user.admin", sub: "bench" })
    .setProtectedHeader({ alg: "RS256", kid: "bench" })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(privateKey);
  return { discoveryUrl: `${issuer}/.well-known/openid-configuration`, clientId, token, close: () => server.close() };
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The number after `name` on the command line (e.g. `--runs 20`), else `fallback`. */
export function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

/** The `q` quantile of an ascending array, interpolated. */
export function quantile(sorted, q) {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}
