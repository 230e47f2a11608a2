import { AgentcoreError } from "../errors.js";

/** Three base64url segments starting with a JSON header: the shape of a JWT (and of Cognito refresh tokens in cognito-local). */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;
const SECRET_KEY = /"(?:[A-Za-z_]*(?:password|secret|accessToken|refreshToken|idToken|bearerToken)[A-Za-z_]*)"\s*:/i;

/**
 * Last line of defence: .agentcore.json and .env (without --write-token-to-env) must never hold a
 * token, password or client secret. Refuses the write rather than leak one.
 */
export function assertNoSecrets(text: string, where: string): void {
  if (JWT_SHAPE.test(text) || SECRET_KEY.test(text)) {
    throw new AgentcoreError(`Refusing to write ${where}: the content looks like it holds a token or secret.`, {
      code: "SecretInConfig",
      hint: "Tokens live in the token cache under AGENTCORE_TS_HOME (mode 0600); remove the value and retry.",
    });
  }
}

/** "eyJra…Xk2Q (1043 chars)": enough to recognise a token, never enough to use it. */
export function maskToken(token: string): string {
  if (token.length <= 12) return "****";
  return `${token.slice(0, 6)}…${token.slice(-4)} (${token.length} chars)`;
}
