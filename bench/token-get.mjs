#!/usr/bin/env node
/**
 * `agentcore-ts token get` (client credentials) from a cold token cache (discovery, token endpoint,
 * cache write) vs a warm one (the cached token is still good), interleaved in one run, against the
 * embedded Cognito with an M2M client on loopback. Both are whole CLI processes, so the ratio is
 * what a script calling `token get` before each request saves.
 *
 *   npm run build && node bench/token-get.mjs [--runs 10]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SERVER = path.join(ROOT, "dist", "embedded-cognito", "server.js");
const BIN = path.join(ROOT, "bin", "agentcore-ts");
const runsIndex = process.argv.indexOf("--runs");
const runs = runsIndex === -1 ? 10 : Number(process.argv[runsIndex + 1]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const home = mkdtempSync(path.join(os.tmpdir(), "agentcore-ts-bench-home-"));
const dataDir = path.join(home, "cognito-local");
spawnSync("mkdir", ["-p", dataDir]);
const server = spawn(process.execPath, [SERVER, "--data-dir", dataDir, "--port", "0", "--mode", "persistent"], {
  cwd: dataDir,
  stdio: ["ignore", "pipe", "ignore"],
});
const ready = await new Promise((resolve) => server.stdout.setEncoding("utf8").once("data", (line) => resolve(JSON.parse(line))));
const endpoint = ready.endpoint;

const sdk = await import("@aws-sdk/client-cognito-identity-provider");
const cognito = new sdk.CognitoIdentityProviderClient({
  region: "us-east-1",
  endpoint,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});
const pool = (await cognito.send(new sdk.CreateUserPoolCommand({ PoolName: "bench" }))).UserPool.Id;
await cognito.send(
  new sdk.CreateResourceServerCommand({
    UserPoolId: pool,
    Identifier: "bench",
    Name: "bench",
    Scopes: [{ ScopeName: "invoke", ScopeDescription: "invoke" }],
  }),
);
await cognito.send(new sdk.CreateUserPoolDomainCommand({ UserPoolId: pool, Domain: "bench" }));
const client = (
  await cognito.send(
    new sdk.CreateUserPoolClientCommand({
      UserPoolId: pool,
      ClientName: "bench-m2m",
      GenerateSecret: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: ["bench/invoke"],
      AllowedOAuthFlowsUserPoolClient: true,
    }),
  )
).UserPoolClient;
cognito.destroy();

const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NO_COLOR: "1",
  AGENTCORE_TS_HOME: home,
  AGENTCORE_TS_COGNITO_PORT: String(ready.port),
  AGENTCORE_TS_CLIENT_SECRET: client.ClientSecret,
  AWS_REGION: "us-east-1",
  AWS_EC2_METADATA_DISABLED: "true",
};
const args = [
  "token",
  "get",
  "--json",
  "--discovery-url",
  `${endpoint}/${pool}/.well-known/openid-configuration`,
  "--client-id",
  client.ClientId,
];

function tokenGet() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`token get exited ${code}`));
      resolve({ ms: performance.now() - started, source: JSON.parse(out).source });
    });
  });
}

const cold = [];
const warm = [];
await tokenGet(); // warm the page cache and the embedded Cognito's JIT
for (let i = 0; i < runs; i += 1) {
  rmSync(path.join(home, "tokens.json"), { force: true });
  const c = await tokenGet();
  if (c.source !== "issuer") throw new Error(`cold run came from ${c.source}`);
  cold.push(c.ms);
  const w = await tokenGet();
  if (w.source !== "cache") throw new Error(`warm run came from ${w.source}`);
  warm.push(w.ms);
}
server.kill("SIGTERM");
rmSync(home, { recursive: true, force: true });

const coldMs = median(cold);
const warmMs = median(warm);
console.log(`token get (client credentials), ${runs} interleaved runs, medians:`);
console.log(`  cold cache (discovery + token endpoint): ${coldMs.toFixed(0)} ms`);
console.log(`  warm cache (cached token reused):        ${warmMs.toFixed(0)} ms`);
console.log(`  cold / warm: ${(coldMs / warmMs).toFixed(2)}x`);
