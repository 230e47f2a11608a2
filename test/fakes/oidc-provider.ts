/**
 * A real OpenID provider on loopback for the generic OAuth flows: oidc-provider (panva), started by
 * the tests, with
 * - "m2m-client" (secret): client_credentials;
 * - "web-client" (public, PKCE): authorization_code + refresh_token, redirect http://localhost:PORT/callback;
 * - "device-client" (public): the device authorization grant + refresh_token.
 * Access tokens are JWTs (resource indicators, audience AUDIENCE) signed with a key the JWKS serves.
 * Login and consent are an HTML form and a confirm POST, driven by `signIn` over HTTP (no browser).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import { afterAll, beforeAll } from "vitest";
import { pickPort } from "../../src/local/ports.js";

export const AUDIENCE = "urn:agentcore:test";
export const M2M_SECRET = "m2m-secret-value-9f3c1d2e";
export const USERS: Record<string, string> = { alice: "Alice-Password-1!" };

export interface TestProvider {
  issuer: string;
  discoveryUrl: string;
  provider: Provider;
  /** Access tokens live this long (seconds). */
  ttl: { accessToken: number };
  close(): Promise<void>;
}

export async function startOidcProvider(options: { redirectPort: number; accessTokenTtl?: number }): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const ttl = { accessToken: options.accessTokenTtl ?? 600 };
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    clients: [
      {
        client_id: "m2m-client",
        client_secret: M2M_SECRET,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        scope: "invoke",
      },
      {
        client_id: "web-client",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: [`http://localhost:${options.redirectPort}/callback`],
        scope: "openid invoke offline_access",
      },
      {
        client_id: "device-client",
        token_endpoint_auth_method: "none",
        grant_types: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        response_types: [],
        redirect_uris: [],
        scope: "openid invoke offline_access",
      },
    ],
    scopes: ["openid", "invoke", "offline_access"],
    pkce: { required: () => true },
    ttl: { AccessToken: () => ttl.accessToken, ClientCredentials: () => ttl.accessToken },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: "invoke", audience: AUDIENCE, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } }),
      },
    },
    findAccount: async (_ctx, id) => (id in USERS ? { accountId: id, claims: async () => ({ sub: id }) } : undefined),
  });
  provider.on("server_error", () => undefined);

  const form = (uid: string, prompt: string) =>
    prompt === "login"
      ? `<form method="post" action="/interaction/${uid}/login"><input name="login"><input name="password" type="password"><button>Sign in</button></form>`
      : `<form method="post" action="/interaction/${uid}/confirm"><button>Allow</button></form>`;
  const readForm = async (req: http.IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  };
  const callback = provider.callback();
  server.on("request", async (req, res) => {
    const match = /^\/interaction\/([^/]+)(?:\/(login|confirm))?$/.exec(new URL(req.url ?? "/", issuer).pathname);
    if (!match) return void callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (!match[2]) {
        res.writeHead(200, { "content-type": "text/html" }).end(form(details.uid, details.prompt.name));
        return;
      }
      if (match[2] === "login") {
        const body = await readForm(req);
        const login = body.get("login") ?? "";
        if (USERS[login] !== body.get("password")) {
          res.writeHead(401, { "content-type": "text/html" }).end(`wrong password${form(details.uid, "login")}`);
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
      // Grant what the provider says is missing (its documented consent recipe).
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(" "));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    }
  });
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    provider,
    ttl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser stand-in: follows redirects by hand, keeps cookies, fills the login form and the consent (also cognito-local's login form). */
export async function signIn(startUrl: string, user: { login: string; password: string }): Promise<Response> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  };
  let response = await send(startUrl);
  for (let hops = 0; hops < 20; hops += 1) {
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      // Our loopback redirect server listens on 127.0.0.1; "localhost" may resolve to ::1 first.
      const next = new URL(location, response.url || startUrl).href.replace("//localhost:", "//127.0.0.1:");
      response = await send(next);
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) return new Response(html, { status: response.status });
    const url = new URL(action, response.url || startUrl).href;
    const fields = new URLSearchParams();
    for (const [tag] of html.matchAll(/<input[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(tag)?.[1];
      const value = /value="([^"]*)"/.exec(tag)?.[1];
      if (name && value !== undefined) fields.set(name, value);
    }
    // The credentials go into whichever login fields the form has (oidc-provider's: login; cognito-local's: username).
    if (/name="login"/.test(html)) fields.set("login", user.login);
    if (/name="username"/.test(html)) fields.set("username", user.login);
    if (/name="password"/.test(html)) fields.set("password", user.password);
    response = await send(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: fields.toString(),
    });
    // The callback on our loopback server is the end of the journey.
    if (url.includes("/callback")) return response;
  }
  throw new Error("sign-in did not finish within 20 steps");
}

/** A provider for the whole test file (started before its tests on a free redirect port, closed after). */
export function useOidcProvider(): { readonly op: TestProvider; readonly redirectPort: number } {
  const state: { op?: TestProvider; redirectPort?: number } = {};
  beforeAll(async () => {
    state.redirectPort = await pickPort(0);
    state.op = await startOidcProvider({ redirectPort: state.redirectPort });
  });
  afterAll(async () => state.op?.close());
  return {
    get op() {
      return state.op!;
    },
    get redirectPort() {
      return state.redirectPort!;
    },
  };
}
