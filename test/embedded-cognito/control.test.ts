/**
 * The embedded Cognito: on-demand start on a stable port, reuse, nothing left running (even when
 * the holder is killed), state across restarts, a discovery document that matches the tokens, and
 * clear refusals for a port someone else uses. Real processes on loopback.
 */

import { spawn } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEFAULT_EMBEDDED_COGNITO_PORT,
  embeddedCognitoEndpoint,
  embeddedCognitoPort,
  ensureEmbeddedCognito,
  isEmbeddedCognitoUrl,
  probeEmbeddedCognito,
} from "../../src/embedded-cognito/control.js";
import { freePort, REPO_ROOT, runCli, tempDir, testEnv } from "../support/cli.js";
import { portOpen, startPrivateCognito } from "../support/cognito-local.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  return { AGENTCORE_TS_HOME: tempDir("agentcore-ts-home-"), AGENTCORE_TS_COGNITO_PORT: String(await freePort()) };
}

function sdk(endpoint: string): CognitoIdentityProviderClient {
  const client = new CognitoIdentityProviderClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });
  cleanups.push(() => client.destroy());
  return client;
}

describe("embedded Cognito addressing", () => {
  it("gives the default home 19229 and every other home a stable port of its own, derived from its path", () => {
    expect(DEFAULT_EMBEDDED_COGNITO_PORT).toBe(19229);
    expect(embeddedCognitoEndpoint({})).toBe("http://127.0.0.1:19229");
    expect(embeddedCognitoPort({ AGENTCORE_TS_HOME: path.join(os.homedir(), ".agentcore-ts") })).toBe(19229);
    const homes = ["/home/alice/.agentcore-ts", "/home/bob/.agentcore-ts", "/tmp/ci-run-1/home", "/tmp/ci-run-2/home"];
    const ports = homes.map((home) => embeddedCognitoPort({ AGENTCORE_TS_HOME: home }));
    expect(new Set(ports).size).toBe(homes.length);
    for (const port of ports) expect(port >= 19230 && port < 29230).toBe(true);
    // Stable: the same home (however it is spelled) always gets the same port, which its pools' issuers contain.
    expect(embeddedCognitoPort({ AGENTCORE_TS_HOME: "/home/alice/./.agentcore-ts/" })).toBe(ports[0]);
    expect(embeddedCognitoPort({ AGENTCORE_TS_HOME: homes[0], AGENTCORE_TS_COGNITO_PORT: "40123" })).toBe(40123);
  });

  it("uses AGENTCORE_TS_COGNITO_PORT when set, and recognises its URLs", () => {
    const env = { AGENTCORE_TS_COGNITO_PORT: "40123" };
    expect(embeddedCognitoEndpoint(env)).toBe("http://127.0.0.1:40123");
    expect(isEmbeddedCognitoUrl("http://127.0.0.1:40123/local_abc/.well-known/openid-configuration", env)).toBe(true);
    expect(isEmbeddedCognitoUrl("http://localhost:40123/local_abc", env)).toBe(true);
    expect(isEmbeddedCognitoUrl("http://127.0.0.1:19229/local_abc", env)).toBe(false);
    expect(isEmbeddedCognitoUrl("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x/.well-known/openid-configuration", env)).toBe(
      false,
    );
    expect(isEmbeddedCognitoUrl("not a url", env)).toBe(false);
    expect(() => embeddedCognitoEndpoint({ AGENTCORE_TS_COGNITO_PORT: "99999" })).toThrow(/not a TCP port/);
  });
});

describe("ensureEmbeddedCognito", () => {
  it("starts on demand, is reused by a second caller, and is gone once the last holder stops", async () => {
    const env = await freshEnv();
    const first = await ensureEmbeddedCognito(env);
    cleanups.push(() => first.stop());
    expect(first.startedHere).toBe(true);
    expect(first.endpoint).toBe(embeddedCognitoEndpoint(env));
    const second = await ensureEmbeddedCognito(env);
    expect(second.startedHere).toBe(false);
    expect(second.endpoint).toBe(first.endpoint);

    await first.stop(); // the starter leaves; the second caller still holds it
    const probe = await probeEmbeddedCognito(first.endpoint);
    expect(probe.state).toBe("running");
    if (probe.state === "running") {
      expect(probe.info.holds).toBe(1);
      expect(probe.info.dataDir).toBe(path.join(env.AGENTCORE_TS_HOME!, "cognito-local"));
    }
    await second.stop();
    await waitUntil(async () => !(await portOpen(Number(env.AGENTCORE_TS_COGNITO_PORT))), "the port to close");
  });

  it("two callers starting it at the same moment share one server", async () => {
    const env = await freshEnv();
    const [a, b] = await Promise.all([ensureEmbeddedCognito(env), ensureEmbeddedCognito(env)]);
    cleanups.push(
      () => a.stop(),
      () => b.stop(),
    );
    expect([a.startedHere, b.startedHere].sort()).toEqual([false, true]);
    expect(a.endpoint).toBe(b.endpoint);
    await a.stop();
    await b.stop();
    await waitUntil(async () => (await probeEmbeddedCognito(a.endpoint)).state === "stopped", "the server to stop");
  });

  it("exits by itself when the command holding it is killed", async () => {
    const env = await freshEnv();
    const script = `
      const { ensureEmbeddedCognito } = await import(${JSON.stringify(path.join(REPO_ROOT, "dist/embedded-cognito/control.js"))});
      const held = await ensureEmbeddedCognito(process.env);
      process.stdout.write("held " + held.endpoint + "\\n");
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanups.push(() => child.kill("SIGKILL"));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").once("data", resolve);
      child.once("exit", (code) => reject(new Error(`holder exited early (${code})`)));
    });
    expect(line).toMatch(/^held http:\/\/127\.0\.0\.1:\d+/);
    expect(await portOpen(Number(env.AGENTCORE_TS_COGNITO_PORT))).toBe(true);
    child.kill("SIGKILL");
    await waitUntil(async () => !(await portOpen(Number(env.AGENTCORE_TS_COGNITO_PORT))), "the orphaned server to exit");
  });

  it("keeps pools across restarts and serves a discovery document whose issuer is the tokens' iss", async () => {
    const env = await freshEnv();
    let cognito = await ensureEmbeddedCognito(env);
    let client = sdk(cognito.endpoint);
    const poolId = (await client.send(new CreateUserPoolCommand({ PoolName: "p", Policies: { PasswordPolicy: { MinimumLength: 8 } } })))
      .UserPool!.Id!;
    const clientId = (
      await client.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: "c", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"] }),
      )
    ).UserPoolClient!.ClientId!;
    // A plain username works (cognito-local's default wants an email).
    await client.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: "testuser", MessageAction: "SUPPRESS" }));
    await client.send(
      new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: "testuser", Password: "Passw0rd!x", Permanent: true }),
    );
    await cognito.stop();
    await waitUntil(async () => (await probeEmbeddedCognito(cognito.endpoint)).state === "stopped", "the server to stop");

    cognito = await ensureEmbeddedCognito(env);
    cleanups.push(() => cognito.stop());
    expect(cognito.startedHere).toBe(true);
    client = sdk(cognito.endpoint);
    expect((await client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.Name).toBe("p");
    const auth = await client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "testuser", PASSWORD: "Passw0rd!x" },
      }),
    );
    const discovery = (await (await fetch(`${cognito.endpoint}/${poolId}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(`${cognito.endpoint}/${poolId}`);
    const { payload } = await jwtVerify(auth.AuthenticationResult!.AccessToken!, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: discovery.issuer,
    });
    expect(payload.client_id).toBe(clientId);
    expect((await fetch(`${cognito.endpoint}/local_doesNotExist/.well-known/openid-configuration`)).status).toBe(404);
  });

  it("writes nothing but its ready line: no aws-sdk v2 end-of-support NOTE, no logs", async () => {
    const dataDir = tempDir("agentcore-ts-cognito-data-");
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, "dist/embedded-cognito/server.js"), "--data-dir", dataDir, "--port", "0", "--mode", "persistent"],
      {
        cwd: dataDir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    cleanups.push(() => child.kill("SIGKILL"));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    await waitUntil(async () => stdout.includes("\n"), "the ready line");
    const { endpoint } = JSON.parse(stdout) as { endpoint: string };
    // Exercise it (a request, an error) and give any deferred warning time to appear.
    await sdk(endpoint)
      .send(new DescribeUserPoolCommand({ UserPoolId: "local_missing1" }))
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(stderr).toBe("");
    expect(stdout.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a port another program uses, and another home's embedded Cognito", async () => {
    const other = http.createServer((_req, res) => res.writeHead(404).end("nope"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => other.close(resolve)));
    const port = (other.address() as { port: number }).port;
    await expect(ensureEmbeddedCognito({ AGENTCORE_TS_HOME: tempDir(), AGENTCORE_TS_COGNITO_PORT: String(port) })).rejects.toThrow(
      /Cannot use the embedded Cognito on http:\/\/127\.0\.0\.1:\d+: another program answers there/,
    );

    const theirs = await startPrivateCognito();
    cleanups.push(() => theirs.stop());
    const failure = ensureEmbeddedCognito({ AGENTCORE_TS_HOME: tempDir(), AGENTCORE_TS_COGNITO_PORT: String(theirs.port) });
    await expect(failure).rejects.toThrow(/embedded Cognito of another AGENTCORE_TS_HOME/);
    await expect(failure).rejects.toMatchObject({ hint: expect.stringMatching(/AGENTCORE_TS_COGNITO_PORT/) });
  });
});

describe("cognito local start|status|stop", () => {
  it("runs it detached with a pid file, reports it, and stops it", async () => {
    const env = testEnv(await freshEnv());
    const port = Number(env.AGENTCORE_TS_COGNITO_PORT);
    const before = await runCli(["cognito", "local", "status", "--json"], { env });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ running: false, endpoint: `http://127.0.0.1:${port}`, pools: 0 });

    const start = await runCli(["cognito", "local", "start", "--detach"], { env });
    cleanups.push(() => runCli(["cognito", "local", "stop"], { env }));
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/Embedded Cognito running on http:\/\/127\.0\.0\.1:\d+ \(pid \d+/);
    expect(start.stderr).not.toMatch(/NOTE|end-of-support/);

    const status = await runCli(["cognito", "local", "status", "--json"], { env });
    const doc = JSON.parse(status.stdout);
    expect(doc).toMatchObject({ running: true, mode: "persistent", dataDir: path.join(env.AGENTCORE_TS_HOME!, "cognito-local") });

    // A command that needs it reuses it and leaves it running.
    const held = await ensureEmbeddedCognito(env);
    expect(held.startedHere).toBe(false);
    await held.stop();
    expect(await portOpen(port)).toBe(true);

    const again = await runCli(["cognito", "local", "start", "--detach"], { env });
    expect(again.stdout).toMatch(/already running/);

    const stop = await runCli(["cognito", "local", "stop"], { env });
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`Stopped the embedded Cognito \\(pid ${doc.pid}\\)`));
    expect(await portOpen(port)).toBe(false);
    const stopAgain = await runCli(["cognito", "local", "stop"], { env });
    expect(stopAgain.stdout).toMatch(/not running/);
  });
});
