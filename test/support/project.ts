/**
 * Test fixtures for commands that work on a project directory: a temp directory with files, and a
 * loopback OIDC issuer that serves discovery documents (what `configure` checks).
 */
import { promises as fsp } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { tempDir } from "./cli.js";

/** A fresh temp directory holding `files` (path -> content; parent directories are created). */
export async function writeProject(files: Record<string, string>, dir = tempDir()): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fsp.writeFile(path.join(dir, name), content);
  }
  return dir;
}

export interface DiscoveryServer {
  /** http://127.0.0.1:<port> */
  base: string;
  /** The discovery URL of a pool: <base>/<poolId>/.well-known/openid-configuration (shaped like Cognito's). */
  url(poolId: string): string;
  close(): Promise<void>;
}

/**
 * A loopback issuer answering GET /<poolId>/.well-known/openid-configuration with issuer and
 * jwks_uri, except for the pool ids in `missing` (404).
 */
export async function startDiscoveryServer(missing: string[] = []): Promise<DiscoveryServer> {
  const server = createServer((req, res) => {
    const match = /^\/([^/]+)\/\.well-known\/openid-configuration$/.exec(req.url ?? "");
    if (!match || missing.includes(match[1]!)) {
      res.statusCode = 404;
      return res.end();
    }
    const issuer = `${base}/${match[1]}`;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: (poolId) => `${base}/${poolId}/.well-known/openid-configuration`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
