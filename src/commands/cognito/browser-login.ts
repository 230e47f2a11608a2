/**
 * `cognito setup --browser-login`: what the authorization-code flow (`token get --flow
 * authorization-code`) needs on the project's public app client: the loopback callback URL
 * http://localhost:PORT/callback registered exactly (Cognito compares CallbackURLs literally and
 * allows plain http only for localhost: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html),
 * the `code` flow, the openid scope and the Cognito identity provider. The pool's domain serves the
 * managed login (ensureDomain, shared with --m2m).
 */
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { redirectUri } from "../../auth/oauth.js";
import { fromAwsError } from "../../errors.js";
import { PRESERVED_CLIENT_FIELDS } from "./resources.js";

/** Adds the callback URL, the code flow and the scopes to the client when it lacks them; true when it changed. */
export async function enableBrowserLogin(
  client: CognitoIdentityProviderClient,
  poolId: string,
  clientId: string,
  port: number,
): Promise<boolean> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const callback = redirectUri(port);
  try {
    const existing =
      (await client.send(new sdk.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient ?? {};
    const union = <T>(have: T[] | undefined, want: T[]) => [...new Set([...(have ?? []), ...want])];
    const callbacks = union(existing.CallbackURLs, [callback]);
    const flows = union(existing.AllowedOAuthFlows, ["code" as const]);
    const scopes = union(existing.AllowedOAuthScopes, ["openid", "email", "profile"]);
    const providers = union(existing.SupportedIdentityProviders, ["COGNITO"]);
    const same = (a: unknown[] | undefined, b: unknown[]) => (a?.length ?? 0) === b.length;
    if (
      existing.AllowedOAuthFlowsUserPoolClient &&
      same(existing.CallbackURLs, callbacks) &&
      same(existing.AllowedOAuthFlows, flows) &&
      same(existing.AllowedOAuthScopes, scopes) &&
      same(existing.SupportedIdentityProviders, providers)
    ) {
      return false;
    }
    const preserved: Record<string, unknown> = {};
    for (const field of [...PRESERVED_CLIENT_FIELDS, "ExplicitAuthFlows"] as const) {
      if (existing[field] !== undefined) preserved[field] = existing[field];
    }
    await client.send(
      new sdk.UpdateUserPoolClientCommand({
        ...preserved,
        UserPoolId: poolId,
        ClientId: clientId,
        CallbackURLs: callbacks,
        AllowedOAuthFlows: flows,
        AllowedOAuthScopes: scopes,
        AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: providers,
      }),
    );
    return true;
  } catch (error) {
    throw fromAwsError(error, `Enable the browser sign-in on app client ${clientId}`);
  }
}
