/**
 * A private embedded Cognito for one test file: its own AGENTCORE_TS_HOME (temp dir), its data
 * under it, an ephemeral loopback port. CLI runs and operations given `cognito.env` find and reuse
 * it exactly as they would the user's embedded Cognito (AGENTCORE_TS_COGNITO_PORT points at it).
 *
 *   let cognito: PrivateCognito;
 *   beforeAll(async () => { cognito = await startPrivateCognito(); });
 *   afterAll(() => cognito?.stop());
 *   runCli(["cognito", "setup", "--local"], { cwd, env: testEnv(cognito.env) });
 *
 * The server is held open by this process: if the test worker dies, it exits by itself.
 */

import net from "node:net";
import path from "node:path";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { holdEmbeddedCognito, spawnCognitoServer } from "../../src/embedded-cognito/control.js";
import { tempDir } from "./cli.js";

export interface PrivateCognito {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  /** The AGENTCORE_TS_HOME it belongs to (token cache, embedded data). */
  home: string;
  dataDir: string;
  /** AGENTCORE_TS_HOME and AGENTCORE_TS_COGNITO_PORT: spread into testEnv() or an operation's env. */
  env: { AGENTCORE_TS_HOME: string; AGENTCORE_TS_COGNITO_PORT: string };
  /** Milliseconds from spawn to ready. */
  startupMs: number;
  /** A real SDK client pointed at it (dummy credentials), for arranging and asserting state. */
  client(): Promise<CognitoIdentityProviderClient>;
  stop(): Promise<void>;
}

export async function startPrivateCognito(options: { home?: string } = {}): Promise<PrivateCognito> {
  const home = options.home ?? tempDir("agentcore-ts-home-");
  const dataDir = path.join(home, "cognito-local");
  const started = performance.now();
  const server = await spawnCognitoServer({ dataDir, port: 0, mode: "on-demand" });
  const startupMs = Math.round(performance.now() - started);
  const release = await holdEmbeddedCognito(server.endpoint);
  server.detach();
  const clients: CognitoIdentityProviderClient[] = [];
  return {
    endpoint: server.endpoint,
    port: server.port,
    home,
    dataDir,
    env: { AGENTCORE_TS_HOME: home, AGENTCORE_TS_COGNITO_PORT: String(server.port) },
    startupMs,
    async client() {
      const { CognitoIdentityProviderClient } = await import("@aws-sdk/client-cognito-identity-provider");
      const client = new CognitoIdentityProviderClient({
        region: "us-east-1",
        endpoint: server.endpoint,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.destroy();
      release();
      await server.kill();
    },
  };
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The error a promise rejects with (fails the test when it resolves), typed for message/hint/code checks. */
export async function failureOf(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string; exitCode?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; hint?: string; exitCode?: number };
  }
  throw new Error("expected the promise to reject, but it resolved");
}
