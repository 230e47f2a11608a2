/**
 * `cognito delete`: deletes the user pool `cognito setup` recorded (with its app clients and users),
 * (its domain first, which Cognito requires), then the `cognito` section of .agentcore.json, the
 * cached tokens and saved client secrets of that pool, and the .env keys
 * setup wrote for it. Asks first unless --yes. A pool that is already gone is not an error.
 */
import path from "node:path";
import { forgetClientSecrets } from "../../auth/client-secret.js";
import { decodeClaims, withCognito } from "../../auth/cognito.js";
import { TokenCache } from "../../auth/token-cache.js";
import { issuerFromDiscoveryUrl } from "../../auth/tokens.js";
import { loadConfig, updateConfig } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { withJsonDocument } from "../../core/document.js";
import { fromAwsError, UsageError } from "../../errors.js";
import { updateDotenvFile } from "../../util/dotenv-file.js";
import { defaultDomainPrefix } from "./m2m.js";
import type { CognitoDeleteInput, CognitoDeleteResult } from "./types.js";

export type DeleteContext = Pick<CommandContext, "cwd" | "env" | "output" | "prompter" | "aws" | "dotenv">;

/** The delete document: the config file is for the printer only. */
function deleteResult(result: CognitoDeleteResult): CognitoDeleteResult {
  return withJsonDocument(result, ({ configFile: _configFile, ...document }) => document);
}

export async function cognitoDelete(input: CognitoDeleteInput, ctx: DeleteContext): Promise<CognitoDeleteResult> {
  const { output } = ctx;
  const loaded = await loadConfig(ctx.cwd, ctx.env);
  const section = loaded?.config.cognito;
  if (!loaded || !section) return deleteResult({ deleted: false, ...(loaded ? { configFile: loaded.file } : {}) });
  const cache = new TokenCache(ctx.env);
  await cache.read(); // a broken cache fails here, before anything is deleted
  const where = section.local ? "the embedded local Cognito" : `AWS region ${section.region}`;
  const what = `user pool "${section.poolName ?? section.userPoolId}" (${section.userPoolId}) in ${where}, with all its users and app clients`;
  if (!input.yes) {
    if (!ctx.prompter.interactive) {
      throw new UsageError(`Deleting the ${what} needs confirmation.`, {
        hint: "Pass --yes to delete without asking.",
        code: "ConfirmationRequired",
      });
    }
    const confirmed = await ctx.prompter.confirm({ message: `Delete the ${what}?`, default: false });
    if (!confirmed) return deleteResult({ deleted: false, userPoolId: section.userPoolId, pool: "kept", configFile: loaded.file });
  }

  const aws = await ctx.aws(section.region);
  const pool = await withCognito(aws, { region: section.region, local: section.local ?? false }, ctx.env, async ({ client }) => {
    const sdk = await import("@aws-sdk/client-cognito-identity-provider");
    try {
      // Cognito refuses to delete a pool that still has a domain (cognito setup --m2m / --browser-login made one).
      const domain =
        section.m2m?.domain ??
        (await client
          .send(new sdk.DescribeUserPoolCommand({ UserPoolId: section.userPoolId }))
          .then((r) => r.UserPool?.Domain)
          .catch(() => undefined)) ??
        (section.redirectPort && section.poolName ? defaultDomainPrefix(section.poolName, section.userPoolId) : undefined);
      if (domain) {
        const found = await client.send(new sdk.DescribeUserPoolDomainCommand({ Domain: domain })).catch(() => undefined);
        if (found?.DomainDescription?.UserPoolId === section.userPoolId) {
          await client.send(new sdk.DeleteUserPoolDomainCommand({ Domain: domain, UserPoolId: section.userPoolId }));
        }
      }
      await client.send(new sdk.DeleteUserPoolCommand({ UserPoolId: section.userPoolId }));
      return "deleted" as const;
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException") return "already-gone" as const;
      throw fromAwsError(
        error,
        `DeleteUserPool ${section.userPoolId}`,
        "A pool with deletion protection or a domain must be changed in the Cognito console first; nothing else was removed.",
      );
    }
  });

  await updateConfig(loaded.file, (config) => {
    delete config.cognito;
  });
  await forgetClientSecrets(ctx.env, issuerFromDiscoveryUrl(section.discoveryUrl));
  const cachedTokensRemoved = await cache.remove(
    (entry) => entry.userPoolId === section.userPoolId && entry.local === (section.local ?? false),
  );

  // The .env keys setup wrote, only where they still name this pool (the user may have changed them).
  const projectDir = path.dirname(loaded.file);
  const dotenv = await ctx.dotenv(projectDir);
  const stale: Record<string, null> = {};
  if (dotenv.COGNITO_DISCOVERY_URL === section.discoveryUrl) stale.COGNITO_DISCOVERY_URL = null;
  if (dotenv.COGNITO_CLIENT_ID === section.clientId) stale.COGNITO_CLIENT_ID = null;
  const tokenIssuer = dotenv.COGNITO_ACCESS_TOKEN ? decodeClaims(dotenv.COGNITO_ACCESS_TOKEN).iss : undefined;
  if (typeof tokenIssuer === "string" && tokenIssuer.endsWith(`/${section.userPoolId}`)) stale.COGNITO_ACCESS_TOKEN = null;
  const envKeysRemoved = Object.keys(stale).length > 0 ? (await updateDotenvFile(path.join(projectDir, ".env"), stale)).removed : [];
  // Agents whose authorizer trusts the deleted pool would now reject every token (discovery answers 404).
  const orphaned = Object.values(loaded.config.agents ?? {})
    .filter((agent) => agent.authorizerConfiguration?.customJWTAuthorizer?.discoveryUrl === section.discoveryUrl)
    .map((agent) => agent.name);
  if (orphaned.length > 0) {
    output.warn(
      `Agent${orphaned.length === 1 ? "" : "s"} ${orphaned.map((n) => `"${n}"`).join(", ")} still trust${orphaned.length === 1 ? "s" : ""} the deleted pool (${section.discoveryUrl}): run \`agentcore-ts cognito setup\`, then \`agentcore-ts configure\` for ${orphaned.length === 1 ? "it" : "each"} again.`,
    );
  }

  return deleteResult({
    deleted: true,
    userPoolId: section.userPoolId,
    ...(section.poolName ? { poolName: section.poolName } : {}),
    local: section.local ?? false,
    pool,
    cachedTokensRemoved,
    envKeysRemoved,
    agentsStillUsingPool: orphaned,
    configFile: loaded.file,
  });
}
