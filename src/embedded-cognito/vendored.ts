/**
 * cognito-local as the package ships it: one CommonJS file built by scripts/vendor-cognito-local.mjs
 * (`npm run build`), without aws-sdk v2 and @aws-crypto/client-node, which it uses only for Lambda
 * triggers and KMS custom senders (the bundle's stand-ins fail, saying so, if one is ever invoked).
 */
import { existsSync } from "node:fs";
import type http from "node:http";
import { createRequire } from "node:module";
import { packageRoot } from "../util/paths.js";

export type Application = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface VendoredCognitoLocal {
  createDefaultServer(logger: unknown): Promise<{ application: Application }>;
  /** cognito-local's own logger (pino 7). */
  pino(options: { level: string }): unknown;
  /** cognito-local's signing key, the one its JWKS serves (kid "CognitoLocal"). */
  privateKey: { jwk: Record<string, string> };
}

export const VENDORED_COGNITO_LOCAL = packageRoot("dist", "embedded-cognito", "vendor", "cognito-local.cjs");

let loaded: VendoredCognitoLocal | undefined;

export function vendoredCognitoLocal(): VendoredCognitoLocal {
  if (!loaded) {
    if (!existsSync(VENDORED_COGNITO_LOCAL))
      throw new Error(`${VENDORED_COGNITO_LOCAL} is missing: run \`npm run build\` in the package directory.`);
    loaded = createRequire(import.meta.url)(VENDORED_COGNITO_LOCAL) as VendoredCognitoLocal;
  }
  return loaded;
}
