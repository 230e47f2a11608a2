/**
 * Where an OAuth client secret comes from, in this order: --client-secret-stdin, the
 * AGENTCORE_TS_CLIENT_SECRET environment variable, AGENTCORE_TS_HOME/client-secrets.json (mode 0600,
 * written only when the user asks with --save-client-secret), and for a Cognito app client the
 * service itself (DescribeUserPoolClient returns the secret to a caller allowed to read the pool,
 * so nothing needs storing for it).
 *
 * The secret never goes into .agentcore.json, .env, a log or an error message. `@aws/agentcore`
 * instead keeps it AES-GCM encrypted in agentcore/.env.local with the key in the OS keychain (or a
 * 0600 key file); we choose a 0600 file under the user's home, written only on request, because a
 * project-directory file (encrypted or not) travels with the project, and a machine without a
 * keychain ends up with the key next to the ciphertext anyway.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { AwsClients } from "../aws/clients.js";
import { ensureHomeDir, homeDir } from "../config/home.js";
import { AgentcoreError, fromAwsError } from "../errors.js";
import { writeFileAtomic } from "../util/fs.js";
import { readSecretFromStdin, withCognito } from "./cognito.js";

export const CLIENT_SECRET_ENV = "AGENTCORE_TS_CLIENT_SECRET";
export const CLIENT_SECRETS_FILE = "client-secrets.json";

export type ClientSecretSource = "stdin" | "env" | "file" | "cognito";

const fileSchema = z.object({ version: z.literal(1), secrets: z.record(z.string(), z.string().min(1)) });

export function clientSecretsPath(env: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), CLIENT_SECRETS_FILE);
}

function secretKey(issuer: string, clientId: string): string {
  return `${issuer} ${clientId}`;
}

async function readFile(env: NodeJS.ProcessEnv): Promise<z.infer<typeof fileSchema>> {
  const file = clientSecretsPath(env);
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, secrets: {} };
    throw new AgentcoreError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}.`, { code: "ConfigUnreadable" });
  }
  try {
    return fileSchema.parse(JSON.parse(text));
  } catch {
    // Never quote the content: it holds secrets.
    throw new AgentcoreError(`${file} is unreadable (not the JSON agentcore-ts writes).`, {
      code: "ConfigUnreadable",
      hint: `Move it aside and save the secret again with \`agentcore-ts token get --client-secret-stdin --save-client-secret\`.`,
    });
  }
}

/** Stores the secret (file 0600 in a 0700 directory) and returns the file's path. */
export async function saveClientSecret(env: NodeJS.ProcessEnv, issuer: string, clientId: string, secret: string): Promise<string> {
  await ensureHomeDir(env);
  const data = await readFile(env);
  data.secrets[secretKey(issuer, clientId)] = secret;
  const file = clientSecretsPath(env);
  await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
  return file;
}

export async function savedClientSecret(env: NodeJS.ProcessEnv, issuer: string, clientId: string): Promise<string | undefined> {
  return (await readFile(env)).secrets[secretKey(issuer, clientId)];
}

/** Removes the saved secrets of a pool's (or an issuer's) clients; returns how many went. */
export async function forgetClientSecrets(env: NodeJS.ProcessEnv, issuer: string): Promise<number> {
  const data = await readFile(env);
  const keys = Object.keys(data.secrets).filter((key) => key.startsWith(`${issuer} `));
  if (keys.length === 0) return 0;
  for (const key of keys) delete data.secrets[key];
  await writeFileAtomic(clientSecretsPath(env), `${JSON.stringify(data, null, 2)}\n`, 0o600);
  return keys.length;
}

/** The secret of a Cognito app client, read from the service (DescribeUserPoolClient); undefined for a public client. */
export async function cognitoClientSecret(
  aws: AwsClients,
  pool: { userPoolId: string; clientId: string; region: string; local: boolean },
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  return withCognito(aws, pool, env, async ({ client }) => {
    try {
      const described = await client.send(new sdk.DescribeUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: pool.clientId }));
      return described.UserPoolClient?.ClientSecret;
    } catch (error) {
      throw fromAwsError(error, `DescribeUserPoolClient ${pool.clientId} (to read its secret)`);
    }
  });
}

export interface SecretLookup {
  /** Read it from stdin (--client-secret-stdin). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The issuer URL and client the secret belongs to (the saved file's key). */
  issuer: string;
  clientId: string;
  /** For a Cognito pool: ask the service. */
  cognito?: () => Promise<string | undefined>;
}

/** The client secret from the first source that has one, and which it was; undefined: none has it. */
export async function findClientSecret(lookup: SecretLookup): Promise<{ secret: string; source: ClientSecretSource } | undefined> {
  if (lookup.stdin) {
    return {
      secret: (await readSecretFromStdin(lookup.stdin, { flag: "--client-secret-stdin", name: "client secret" })).trim(),
      source: "stdin",
    };
  }
  const fromEnv = lookup.env[CLIENT_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return { secret: fromEnv.trim(), source: "env" };
  const saved = await savedClientSecret(lookup.env, lookup.issuer, lookup.clientId);
  if (saved) return { secret: saved, source: "file" };
  const fromCognito = lookup.cognito ? await lookup.cognito() : undefined;
  if (fromCognito) return { secret: fromCognito, source: "cognito" };
  return undefined;
}
