/**
 * IAM roles agentcore-ts creates for an agent. Every role it creates carries the managed tag
 * (agentcore-ts:managed=true); a role without the tag is never changed or deleted, whatever its name.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { fromAwsError } from "../errors.js";
import { canonicalJson, sha256Hex } from "./canonical.js";
import type { PolicyDocument } from "./policies.js";
import { isAwsError, MANAGED_TAG_KEY, MANAGED_TAG_VALUE } from "./sdk-errors.js";

const ACCESS_HINT =
  "Your identity needs iam:CreateRole, iam:PutRolePolicy and iam:TagRole, or set the agent's executionRole in .agentcore.json to an existing role ARN.";

function agentHash(agentName: string): string {
  return sha256Hex(agentName).slice(0, 10);
}

/** Deterministic per agent and region, so a rerun (or a lost .agentcore.json) finds the same role. */
export function runtimeRoleName(region: string, agentName: string): string {
  return `agentcore-ts-runtime-${region}-${agentHash(agentName)}`;
}

export function codebuildRoleName(region: string, agentName: string): string {
  return `agentcore-ts-codebuild-${region}-${agentHash(agentName)}`;
}

export function roleNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

export interface RoleSpec {
  name: string;
  description: string;
  trustPolicy: PolicyDocument;
  /** The one inline policy agentcore-ts keeps on the role. */
  policyName: string;
  policy: PolicyDocument;
}

export interface RoleOutcome {
  arn: string;
  name: string;
  /** Carries the managed tag (created by agentcore-ts). */
  managed: boolean;
  created: boolean;
  /** Created, or its trust or inline policy was rewritten in this run (IAM needs a moment to propagate). */
  changed: boolean;
}

function sameDocument(stored: string | undefined, wanted: PolicyDocument): boolean {
  if (!stored) return false;
  try {
    // IAM returns policy documents URL-encoded.
    return canonicalJson(JSON.parse(decodeURIComponent(stored))) === canonicalJson(wanted);
  } catch {
    return false;
  }
}

/** Whether the role carries the managed tag; undefined when the role does not exist. */
export async function roleIsManaged(iam: IAMClient, roleName: string): Promise<boolean | undefined> {
  const { ListRoleTagsCommand } = await import("@aws-sdk/client-iam");
  let marker: string | undefined;
  try {
    do {
      const page = await iam.send(new ListRoleTagsCommand({ RoleName: roleName, Marker: marker }));
      if (page.Tags?.some((t) => t.Key === MANAGED_TAG_KEY && t.Value === MANAGED_TAG_VALUE)) return true;
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return false;
  } catch (error) {
    if (isAwsError(error, "NoSuchEntityException")) return undefined;
    throw fromAwsError(error, `Read the tags of IAM role ${roleName}`);
  }
}

/**
 * Creates the role (tagged) with its trust and inline policy, or brings a managed role's policies
 * up to date (only when they differ). An existing role without the tag is returned untouched.
 */
export async function ensureManagedRole(iam: IAMClient, spec: RoleSpec): Promise<RoleOutcome> {
  const sdk = await import("@aws-sdk/client-iam");
  let role: { Arn?: string; AssumeRolePolicyDocument?: string } | undefined;
  try {
    role = (await iam.send(new sdk.GetRoleCommand({ RoleName: spec.name }))).Role;
  } catch (error) {
    if (!isAwsError(error, "NoSuchEntityException")) throw fromAwsError(error, `Read IAM role ${spec.name}`);
  }

  if (!role) {
    let arn: string;
    try {
      const created = await iam.send(
        new sdk.CreateRoleCommand({
          RoleName: spec.name,
          AssumeRolePolicyDocument: JSON.stringify(spec.trustPolicy),
          Description: spec.description,
          Tags: [{ Key: MANAGED_TAG_KEY, Value: MANAGED_TAG_VALUE }],
        }),
      );
      arn = created.Role?.Arn ?? "";
    } catch (error) {
      if (isAwsError(error, "EntityAlreadyExistsException")) return ensureManagedRole(iam, spec); // created concurrently
      throw fromAwsError(
        error,
        `Create IAM role ${spec.name}`,
        isAwsError(error, "AccessDenied", "AccessDeniedException") ? ACCESS_HINT : undefined,
      );
    }
    await putPolicy(iam, spec);
    return { arn, name: spec.name, managed: true, created: true, changed: true };
  }

  const arn = role.Arn ?? "";
  const managed = (await roleIsManaged(iam, spec.name)) === true;
  if (!managed) return { arn, name: spec.name, managed: false, created: false, changed: false };

  let changed = false;
  if (!sameDocument(role.AssumeRolePolicyDocument, spec.trustPolicy)) {
    try {
      await iam.send(new sdk.UpdateAssumeRolePolicyCommand({ RoleName: spec.name, PolicyDocument: JSON.stringify(spec.trustPolicy) }));
    } catch (error) {
      throw fromAwsError(error, `Update the trust policy of IAM role ${spec.name}`);
    }
    changed = true;
  }
  let stored: string | undefined;
  try {
    stored = (await iam.send(new sdk.GetRolePolicyCommand({ RoleName: spec.name, PolicyName: spec.policyName }))).PolicyDocument;
  } catch (error) {
    if (!isAwsError(error, "NoSuchEntityException")) throw fromAwsError(error, `Read the policy of IAM role ${spec.name}`);
  }
  if (!sameDocument(stored, spec.policy)) {
    await putPolicy(iam, spec);
    changed = true;
  }
  return { arn, name: spec.name, managed: true, created: false, changed };
}

async function putPolicy(iam: IAMClient, spec: RoleSpec): Promise<void> {
  const { PutRolePolicyCommand } = await import("@aws-sdk/client-iam");
  try {
    await iam.send(
      new PutRolePolicyCommand({ RoleName: spec.name, PolicyName: spec.policyName, PolicyDocument: JSON.stringify(spec.policy) }),
    );
  } catch (error) {
    throw fromAwsError(error, `Put the inline policy ${spec.policyName} on IAM role ${spec.name}`, ACCESS_HINT);
  }
}

export type RoleDeletion = "deleted" | "not-managed" | "not-found";

/** Deletes a managed role: inline policies first, then attached ones, then the role (IAM refuses otherwise). */
export async function deleteManagedRole(iam: IAMClient, roleName: string): Promise<RoleDeletion> {
  const managed = await roleIsManaged(iam, roleName);
  if (managed === undefined) return "not-found";
  if (!managed) return "not-managed";
  const sdk = await import("@aws-sdk/client-iam");
  try {
    let marker: string | undefined;
    do {
      const page = await iam.send(new sdk.ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      for (const policyName of page.PolicyNames ?? []) {
        await iam.send(new sdk.DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    do {
      const page = await iam.send(new sdk.ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      for (const policy of page.AttachedPolicies ?? []) {
        await iam.send(new sdk.DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }));
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    await iam.send(new sdk.DeleteRoleCommand({ RoleName: roleName }));
  } catch (error) {
    if (isAwsError(error, "NoSuchEntityException")) return "not-found";
    throw fromAwsError(error, `Delete IAM role ${roleName}`);
  }
  return "deleted";
}
