/**
 * `cognito setup --m2m`: what machine-to-machine (client-credentials) tokens need on the pool, found
 * or created idempotently: a resource server with the scope `invoke` (and --scopes), a user pool
 * domain (waited for until ACTIVE and until the token endpoint the discovery document names answers),
 * a confidential app client (GenerateSecret, client_credentials, the resource server's scopes), then a
 * first token from that endpoint into the token cache. The client secret is held in memory only;
 * later renewals read it from Cognito again (DescribeUserPoolClient) unless the user saved it.
 * Cognito's M2M resources: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { CognitoIdentityProviderClient, UserPoolClientType } from "@aws-sdk/client-cognito-identity-provider";
import { fetchJson } from "../../auth/discovery.js";
import { clientCredentialsToken, type OAuthTokens } from "../../auth/oauth.js";
import { oauthCacheEntry } from "../../auth/oauth-tokens.js";
import type { TokenCache } from "../../auth/token-cache.js";
import { timingFrom } from "../../aws/polling.js";
import type { CognitoM2mConfig } from "../../config/schema.js";
import { AgentcoreError, fromAwsError, UsageError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import type { ResourceStatus } from "./types.js";

export const DEFAULT_M2M_SCOPE = "invoke";
const SCOPE_NAME = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** The real service takes about a minute for a new domain, and DNS some more (the starter toolkit waits 60 s, then retries). */
const DOMAIN_WAIT_SECONDS = 300;

export interface M2mInput {
  /** More scope names besides `invoke`. */
  scopes?: string[];
  /** The domain prefix (default: derived from the pool). */
  domain?: string;
}

export interface M2mResult {
  section: CognitoM2mConfig;
  resourceServer: { identifier: string; status: ResourceStatus | "updated" };
  domain: { name: string; status: ResourceStatus };
  client: { id: string; name: string; status: ResourceStatus | "updated" };
  token: { expiresAt: string; scope: string };
}

/** "agentcore-ts-my-project-1a2b3c": lower-case, no reserved words (aws, amazon, cognito), unique per pool. */
export function defaultDomainPrefix(poolName: string, poolId: string): string {
  const slug = poolName
    .toLowerCase()
    .replace(/aws|amazon|cognito/g, "")
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  const hash = createHash("sha256").update(poolId).digest("hex").slice(0, 8);
  return `${slug || "agentcore-ts"}-${hash}`;
}

export function checkM2mInput(input: M2mInput): { scopeNames: string[]; domain?: string } {
  const scopeNames = [DEFAULT_M2M_SCOPE, ...(input.scopes ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean)];
  for (const name of scopeNames) {
    if (!SCOPE_NAME.test(name) || name.includes("/")) {
      throw new UsageError(`--scopes "${name}" is not a valid scope name.`, {
        code: "InvalidScope",
        hint: "Use letters, digits and - _ . : (no spaces, no /).",
      });
    }
  }
  if (input.domain !== undefined && (!DOMAIN.test(input.domain) || /aws|amazon|cognito/.test(input.domain))) {
    throw new UsageError(`--domain "${input.domain}" is not a valid Cognito domain prefix.`, {
      code: "BadName",
      hint: "Use lower-case letters, digits and hyphens (not aws, amazon or cognito), 1-63 characters.",
    });
  }
  return { scopeNames: [...new Set(scopeNames)], ...(input.domain ? { domain: input.domain } : {}) };
}

async function ensureResourceServer(client: CognitoIdentityProviderClient, poolId: string, identifier: string, scopeNames: string[]) {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const scopes = scopeNames.map((name) => ({ ScopeName: name, ScopeDescription: `${name} (agentcore-ts)` }));
  let existing: { Scopes?: Array<{ ScopeName?: string; ScopeDescription?: string }>; Name?: string } | undefined;
  try {
    existing = (await client.send(new sdk.DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: identifier }))).ResourceServer;
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceNotFoundException")
      throw fromAwsError(error, `DescribeResourceServer ${identifier}`);
  }
  try {
    if (!existing) {
      await client.send(
        new sdk.CreateResourceServerCommand({ UserPoolId: poolId, Identifier: identifier, Name: identifier, Scopes: scopes }),
      );
      return "created" as const;
    }
    const have = new Set((existing.Scopes ?? []).map((s) => s.ScopeName));
    const missing = scopes.filter((s) => !have.has(s.ScopeName));
    if (missing.length === 0) return "reused" as const;
    await client.send(
      new sdk.UpdateResourceServerCommand({
        UserPoolId: poolId,
        Identifier: identifier,
        Name: existing.Name ?? identifier,
        Scopes: [
          ...(existing.Scopes ?? []).map((s) => ({ ScopeName: s.ScopeName!, ScopeDescription: s.ScopeDescription ?? s.ScopeName! })),
          ...missing,
        ],
      }),
    );
    return "updated" as const;
  } catch (error) {
    throw fromAwsError(error, `${existing ? "Update" : "Create"}ResourceServer ${identifier}`);
  }
}

/** The pool's domain: reused when it is this pool's, created otherwise; waited for until ACTIVE. */
export async function ensureDomain(
  client: CognitoIdentityProviderClient,
  poolId: string,
  domain: string,
  env: NodeJS.ProcessEnv,
  progress: (text: string) => void,
) {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const describe = async () => (await client.send(new sdk.DescribeUserPoolDomainCommand({ Domain: domain }))).DomainDescription ?? {};
  let status: ResourceStatus = "reused";
  try {
    const found = await describe();
    if (found.UserPoolId && found.UserPoolId !== poolId) {
      throw new AgentcoreError(`The domain "${domain}" belongs to another user pool (${found.UserPoolId}).`, {
        code: "BadName",
        hint: "Pick another with --domain.",
      });
    }
    if (!found.UserPoolId) {
      await client.send(new sdk.CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: poolId }));
      status = "created";
    }
  } catch (error) {
    throw fromAwsError(error, `Set up the user pool domain "${domain}"`);
  }
  const { unitMs } = timingFrom(env);
  const deadline = Date.now() + DOMAIN_WAIT_SECONDS * 1000;
  for (;;) {
    const current = await describe().catch((error: unknown) => {
      throw fromAwsError(error, `DescribeUserPoolDomain ${domain}`);
    });
    if (current.Status === "ACTIVE") return status;
    if (current.Status === "FAILED") {
      throw new AgentcoreError(`The user pool domain "${domain}" failed to set up (status FAILED).`, {
        code: "DeploymentFailed",
        hint: "Delete it in the Cognito console (or pick another with --domain) and run setup again.",
      });
    }
    if (Date.now() > deadline) throw waitTimeout(`the domain "${domain}" to become ACTIVE (it is ${current.Status ?? "unknown"})`);
    progress(`waiting for the domain to become ACTIVE (${current.Status ?? "…"})`);
    await sleep(5 * unitMs);
  }
}

function waitTimeout(what: string): AgentcoreError {
  return new AgentcoreError(`Gave up after ${DOMAIN_WAIT_SECONDS} s waiting for ${what}.`, {
    code: "ETIMEDOUT",
    hint: "A new Cognito domain can take a few minutes (DNS included): run `agentcore-ts cognito setup --m2m` again later; it reuses what exists.",
  });
}

const M2M_FLOWS = ["client_credentials"];

async function ensureClient(client: CognitoIdentityProviderClient, poolId: string, name: string, scopes: string[]) {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  let found: UserPoolClientType | undefined;
  try {
    let nextToken: string | undefined;
    do {
      const page = await client.send(new sdk.ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60, NextToken: nextToken }));
      const match = (page.UserPoolClients ?? []).find((c) => c.ClientName === name && c.ClientId);
      if (match) {
        found = (await client.send(new sdk.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: match.ClientId! })))
          .UserPoolClient;
        break;
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw fromAwsError(error, `Look up the app client "${name}"`);
  }
  if (found?.ClientSecret) {
    const flowsOk = M2M_FLOWS.every((f) => found.AllowedOAuthFlows?.includes(f as never)) && found.AllowedOAuthFlowsUserPoolClient;
    const scopesOk = scopes.every((s) => found.AllowedOAuthScopes?.includes(s));
    if (flowsOk && scopesOk) return { id: found.ClientId!, secret: found.ClientSecret, status: "reused" as const };
    try {
      await client.send(
        new sdk.UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: found.ClientId!,
          ClientName: name,
          AllowedOAuthFlows: ["client_credentials"],
          AllowedOAuthScopes: [...new Set([...(found.AllowedOAuthScopes ?? []), ...scopes])],
          AllowedOAuthFlowsUserPoolClient: true,
          ...(found.AccessTokenValidity
            ? { AccessTokenValidity: found.AccessTokenValidity, TokenValidityUnits: found.TokenValidityUnits }
            : {}),
        }),
      );
    } catch (error) {
      throw fromAwsError(error, `UpdateUserPoolClient ${found.ClientId}`);
    }
    return { id: found.ClientId!, secret: found.ClientSecret, status: "updated" as const };
  }
  if (found) {
    throw new AgentcoreError(`App client "${name}" (${found.ClientId}) has no client secret; client credentials need one.`, {
      code: "ClientSecretRequired",
      hint: "Delete it (or rename it) in Cognito, and run `agentcore-ts cognito setup --m2m` again to create a confidential one.",
    });
  }
  try {
    const created = await client.send(
      new sdk.CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: name,
        GenerateSecret: true,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthScopes: scopes,
        AllowedOAuthFlowsUserPoolClient: true,
        ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    return { id: created.UserPoolClient!.ClientId!, secret: created.UserPoolClient!.ClientSecret!, status: "created" as const };
  } catch (error) {
    throw fromAwsError(error, `CreateUserPoolClient "${name}"`);
  }
}

/** Waits until the discovery document names a token endpoint, then gets the first token (retrying while DNS catches up). */
async function firstToken(
  discoveryUrl: string,
  clientId: string,
  secret: string,
  scope: string,
  env: NodeJS.ProcessEnv,
  progress: (text: string) => void,
) {
  const { unitMs } = timingFrom(env);
  const deadline = Date.now() + DOMAIN_WAIT_SECONDS * 1000;
  let tokenEndpoint: string | undefined;
  for (;;) {
    const fetched = await fetchJson(discoveryUrl);
    tokenEndpoint = fetched.ok ? ((fetched.value as { token_endpoint?: string }).token_endpoint ?? undefined) : undefined;
    if (tokenEndpoint) {
      try {
        const tokens: OAuthTokens = await clientCredentialsToken({ discoveryUrl, clientId, clientSecret: secret }, { scope });
        return { tokens, tokenEndpoint };
      } catch (error) {
        if (!(error instanceof AgentcoreError && error.code === "IssuerUnreachable")) throw error;
      }
    }
    if (Date.now() > deadline)
      throw waitTimeout(tokenEndpoint ? `the token endpoint ${tokenEndpoint} to answer` : `${discoveryUrl} to name a token_endpoint`);
    progress(
      tokenEndpoint
        ? `waiting for ${new URL(tokenEndpoint).host} to resolve`
        : "waiting for the discovery document to name the token endpoint",
    );
    await sleep(10 * unitMs);
  }
}

export interface M2mPlan {
  client: CognitoIdentityProviderClient;
  poolId: string;
  poolName: string;
  discoveryUrl: string;
  scopeNames: string[];
  domain: string;
  env: NodeJS.ProcessEnv;
  output: Output;
  cache: TokenCache;
}

export async function setUpM2m(plan: M2mPlan): Promise<M2mResult> {
  const { client, poolId, output } = plan;
  const identifier = plan.poolName;
  const scopes = plan.scopeNames.map((name) => `${identifier}/${name}`);
  const serverStatus = await output.task(`Resource server "${identifier}"`, () =>
    ensureResourceServer(client, poolId, identifier, plan.scopeNames),
  );
  output.info(`  scopes ${scopes.join(", ")} (${serverStatus})`);
  const domainStatus = await output.task(`User pool domain "${plan.domain}"`, (update) =>
    ensureDomain(client, poolId, plan.domain, plan.env, (text) => update(`User pool domain "${plan.domain}": ${text}`)),
  );
  const clientName = `${plan.poolName}-m2m`;
  const app = await output.task(`Machine-to-machine client "${clientName}"`, () => ensureClient(client, poolId, clientName, scopes));
  output.info(`  ${app.id} (${app.status}; its secret stays in Cognito)`);
  const scope = scopes.join(" ");
  const { tokens, tokenEndpoint } = await output.task("First client-credentials token", (update) =>
    firstToken(plan.discoveryUrl, app.id, app.secret, scope, plan.env, (text) => update(`First client-credentials token: ${text}`)),
  );
  const entry = oauthCacheEntry({ discoveryUrl: plan.discoveryUrl, clientId: app.id, flow: "client_credentials", scope }, tokens, plan.env);
  await plan.cache.put(entry);
  return {
    section: { clientId: app.id, clientName, resourceServer: identifier, scopes, domain: plan.domain, tokenEndpoint },
    resourceServer: { identifier, status: serverStatus },
    domain: { name: plan.domain, status: domainStatus },
    client: { id: app.id, name: clientName, status: app.status },
    token: { expiresAt: entry.accessTokenExpiresAt, scope },
  };
}
