/**
 * The Cognito resources `cognito setup` finds or creates: the user pool (by recorded id, then by name),
 * the public app client (its auth flows completed when they lack one) and the test user.
 */
import type { CognitoIdentityProviderClient, UserPoolClientType } from "@aws-sdk/client-cognito-identity-provider";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import { AgentcoreError, fromAwsError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import type { ResourceStatus } from "./types.js";

const REQUIRED_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] as const;

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === "ResourceNotFoundException" || name === "UserNotFoundException";
}

export interface PoolChoice {
  id: string;
  name: string;
  status: ResourceStatus;
}

export async function findOrCreatePool(
  client: CognitoIdentityProviderClient,
  poolName: string,
  recorded: string | undefined,
  output: Output,
): Promise<PoolChoice> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  let recordedWasDeleted = false;
  if (recorded) {
    try {
      const described = await client.send(new sdk.DescribeUserPoolCommand({ UserPoolId: recorded }));
      if (described.UserPool?.Name === poolName) return { id: recorded, name: poolName, status: "reused" };
    } catch (error) {
      if (!isNotFound(error)) throw fromAwsError(error, `DescribeUserPool ${recorded}`);
      recordedWasDeleted = true;
      output.warn(
        `User pool ${recorded} recorded in ${CONFIG_FILE_NAME} no longer exists (deleted outside agentcore-ts): setting up a new one.`,
      );
    }
  }
  const matches: { Id?: string; Name?: string; CreationDate?: Date }[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(new sdk.ListUserPoolsCommand({ MaxResults: 60, NextToken: nextToken }));
      matches.push(...(page.UserPools ?? []).filter((p) => p.Name === poolName && p.Id));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw fromAwsError(error, "ListUserPools");
  }
  if (matches.length > 0) {
    matches.sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
    if (matches.length > 1) {
      output.warn(
        `${matches.length} user pools are named "${poolName}" (${matches.map((m) => m.Id).join(", ")}): using the newest, ${matches[0].Id}.`,
      );
    }
    return { id: matches[0].Id!, name: poolName, status: "reused" };
  }
  try {
    const created = await client.send(
      new sdk.CreateUserPoolCommand({ PoolName: poolName, Policies: { PasswordPolicy: { MinimumLength: 8 } } }),
    );
    return { id: created.UserPool!.Id!, name: poolName, status: recordedWasDeleted ? "recreated" : "created" };
  } catch (error) {
    throw fromAwsError(error, `CreateUserPool "${poolName}"`);
  }
}

export interface ClientChoice {
  id: string;
  name: string;
  status: ResourceStatus;
  updated?: boolean;
}

/** Settings UpdateUserPoolClient would otherwise reset to their defaults. */
export const PRESERVED_CLIENT_FIELDS = [
  "ClientName",
  "RefreshTokenValidity",
  "AccessTokenValidity",
  "IdTokenValidity",
  "TokenValidityUnits",
  "ReadAttributes",
  "WriteAttributes",
  "SupportedIdentityProviders",
  "CallbackURLs",
  "LogoutURLs",
  "DefaultRedirectURI",
  "AllowedOAuthFlows",
  "AllowedOAuthScopes",
  "AllowedOAuthFlowsUserPoolClient",
  "AnalyticsConfiguration",
  "PreventUserExistenceErrors",
  "EnableTokenRevocation",
  "EnablePropagateAdditionalUserContextData",
  "AuthSessionValidity",
  "RefreshTokenRotation",
] as const;

async function checkClient(client: CognitoIdentityProviderClient, existing: UserPoolClientType, output: Output): Promise<boolean> {
  if (existing.ClientSecret) {
    throw new AgentcoreError(
      `App client "${existing.ClientName}" (${existing.ClientId}) has a client secret; agentcore-ts logs in with a public client.`,
      {
        code: "ClientHasSecret",
        hint: "Pass --client-name with a new name to create a public client next to it (or delete that client).",
      },
    );
  }
  const flows = existing.ExplicitAuthFlows ?? [];
  const missing = REQUIRED_FLOWS.filter((flow) => !flows.includes(flow) && !flows.includes(flow.replace(/^ALLOW_/, "") as never));
  if (missing.length === 0) return false;
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const preserved: Record<string, unknown> = {};
  for (const field of PRESERVED_CLIENT_FIELDS) {
    if (existing[field] !== undefined) preserved[field] = existing[field];
  }
  try {
    await client.send(
      new sdk.UpdateUserPoolClientCommand({
        ...preserved,
        UserPoolId: existing.UserPoolId!,
        ClientId: existing.ClientId!,
        ExplicitAuthFlows: [...flows, ...missing],
      }),
    );
  } catch (error) {
    throw fromAwsError(error, `UpdateUserPoolClient ${existing.ClientId}`);
  }
  output.warn(`App client "${existing.ClientName}" did not allow ${missing.join(" and ")}: added.`);
  return true;
}

export async function findOrCreateClient(
  client: CognitoIdentityProviderClient,
  poolId: string,
  clientName: string,
  recorded: string | undefined,
  output: Output,
): Promise<ClientChoice> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  const describe = async (clientId: string) =>
    (await client.send(new sdk.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient;
  let candidate: UserPoolClientType | undefined;
  try {
    if (recorded) {
      try {
        const found = await describe(recorded);
        if (found?.ClientName === clientName) candidate = found;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        output.warn(`App client ${recorded} recorded in ${CONFIG_FILE_NAME} no longer exists: setting up a new one.`);
      }
    }
    if (!candidate) {
      let nextToken: string | undefined;
      do {
        const page = await client.send(new sdk.ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60, NextToken: nextToken }));
        const match = (page.UserPoolClients ?? []).find((c) => c.ClientName === clientName && c.ClientId);
        if (match) {
          candidate = await describe(match.ClientId!);
          break;
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
  } catch (error) {
    throw fromAwsError(error, "Look up the app client");
  }
  if (candidate) {
    const updated = await checkClient(client, candidate, output);
    return { id: candidate.ClientId!, name: clientName, status: "reused", ...(updated ? { updated } : {}) };
  }
  try {
    const created = await client.send(
      new sdk.CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: clientName,
        GenerateSecret: false,
        ExplicitAuthFlows: [...REQUIRED_FLOWS],
      }),
    );
    return { id: created.UserPoolClient!.ClientId!, name: clientName, status: "created" };
  } catch (error) {
    throw fromAwsError(error, `CreateUserPoolClient "${clientName}"`);
  }
}

/** The user's status, or undefined when the user does not exist. */
export async function userStatus(client: CognitoIdentityProviderClient, poolId: string, username: string): Promise<string | undefined> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  try {
    const user = await client.send(new sdk.AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    return user.UserStatus ?? "UNKNOWN";
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw fromAwsError(error, `AdminGetUser "${username}"`);
  }
}

export async function setPermanentPassword(
  client: CognitoIdentityProviderClient,
  poolId: string,
  username: string,
  password: string,
): Promise<void> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  try {
    await client.send(new sdk.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
  } catch (error) {
    const invalid = (error as { name?: string }).name === "InvalidPasswordException";
    throw fromAwsError(
      error,
      `AdminSetUserPassword "${username}"`,
      invalid
        ? "Choose a longer password with upper- and lower-case letters, digits and symbols, or let agentcore-ts generate one."
        : undefined,
    );
  }
}

export async function createUser(client: CognitoIdentityProviderClient, poolId: string, username: string): Promise<void> {
  const sdk = await import("@aws-sdk/client-cognito-identity-provider");
  try {
    await client.send(new sdk.AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: "SUPPRESS" }));
  } catch (error) {
    throw fromAwsError(error, `AdminCreateUser "${username}"`);
  }
}
