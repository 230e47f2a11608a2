/**
 * Wire-level fakes of STS (GetCallerIdentity) and IAM (the role calls launch and destroy make):
 * query protocol in, XML out, with IAM's real constraints: role and policy name patterns, policy
 * documents that must parse and be well formed (identity policies need Resource and must not name a
 * Principal), the 2048-character trust policy and 10240-character inline policy quotas, tags, and
 * DeleteConflict when a role still has policies.
 */
import { FakeAwsError, invalid, QueryProtocolService, queryList, type XmlValue } from "./aws-wire.js";

export const FAKE_ACCOUNT = "123456789012";

export class FakeSts extends QueryProtocolService {
  constructor(readonly account = FAKE_ACCOUNT) {
    super("sts", "sts", undefined, "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/");
  }

  protected action(name: string): Record<string, XmlValue> {
    if (name !== "GetCallerIdentity") throw invalid("InvalidAction", `Could not find operation ${name} for version 2011-06-15`);
    return { Arn: `arn:aws:iam::${this.account}:user/tester`, UserId: "AIDATESTTESTTESTTEST", Account: this.account };
  }
}

export interface FakeRole {
  name: string;
  arn: string;
  trustPolicy: string;
  description?: string;
  tags: { Key: string; Value: string }[];
  inlinePolicies: Map<string, string>;
  attachedPolicies: string[];
  createdAt: Date;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const TAG_PART = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TRUST_POLICY_QUOTA = 2048;
const INLINE_POLICY_QUOTA = 10240;

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
}

function parsePolicy(text: string, kind: "trust" | "identity"): void {
  let doc: { Version?: unknown; Statement?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw invalid("MalformedPolicyDocument", "This policy contains invalid Json");
  }
  if (doc.Version !== "2012-10-17" && doc.Version !== "2008-10-17")
    throw invalid("MalformedPolicyDocument", "The policy failed legacy parsing");
  const statements = Array.isArray(doc.Statement) ? (doc.Statement as Statement[]) : doc.Statement ? [doc.Statement as Statement] : [];
  if (statements.length === 0) throw invalid("MalformedPolicyDocument", "Syntax errors in policy.");
  for (const s of statements) {
    if (s.Effect !== "Allow" && s.Effect !== "Deny")
      throw invalid("MalformedPolicyDocument", "Policy statement must contain a valid Effect.");
    if (s.Action === undefined && s.NotAction === undefined)
      throw invalid("MalformedPolicyDocument", "Policy statement must contain actions.");
    if (kind === "identity") {
      if (s.Principal !== undefined) throw invalid("MalformedPolicyDocument", "Policy document should not specify a principal.");
      if (s.Resource === undefined && s.NotResource === undefined)
        throw invalid("MalformedPolicyDocument", "Policy statement must contain resources.");
    } else {
      const service = (s.Principal as { Service?: unknown } | undefined)?.Service;
      if (s.Principal === undefined) throw invalid("MalformedPolicyDocument", "AssumeRolepolicy contained an invalid principal");
      for (const svc of Array.isArray(service) ? service : service === undefined ? [] : [service]) {
        if (typeof svc !== "string" || !/^[a-z0-9.-]+\.amazonaws\.com$/.test(svc))
          throw invalid("MalformedPolicyDocument", `Invalid principal in policy: "SERVICE":"${String(svc)}"`);
      }
    }
  }
}

/** Characters that count towards IAM's policy size quotas (whitespace does not). */
function policySize(text: string): number {
  return text.replace(/\s/g, "").length;
}

export class FakeIam extends QueryProtocolService {
  readonly roles = new Map<string, FakeRole>();

  constructor(readonly account = FAKE_ACCOUNT) {
    // IAM is global: requests are signed for us-east-1.
    super("iam", "iam", "us-east-1", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/");
  }

  /** A role that exists before the test (e.g. one a user created by hand, without the managed tag). */
  seedRole(
    name: string,
    options: { trustPolicy?: string; tags?: { Key: string; Value: string }[]; policies?: Record<string, string> } = {},
  ): FakeRole {
    const role: FakeRole = {
      name,
      arn: `arn:aws:iam::${this.account}:role/${name}`,
      trustPolicy:
        options.trustPolicy ??
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "bedrock-agentcore.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      tags: options.tags ?? [],
      inlinePolicies: new Map(Object.entries(options.policies ?? {})),
      attachedPolicies: [],
      createdAt: new Date(),
    };
    this.roles.set(name, role);
    return role;
  }

  roleByArn(arn: string): FakeRole | undefined {
    return [...this.roles.values()].find((r) => r.arn === arn);
  }

  private role(params: URLSearchParams): FakeRole {
    const name = this.required(params, "RoleName");
    if (!ROLE_NAME.test(name)) throw invalid("ValidationError", `The specified value for roleName is invalid: ${name}`);
    const role = this.roles.get(name);
    if (!role) throw new FakeAwsError(404, "NoSuchEntity", `The role with name ${name} cannot be found.`);
    return role;
  }

  private roleXml(role: FakeRole): Record<string, XmlValue> {
    return {
      Path: "/",
      RoleName: role.name,
      RoleId: `AROA${role.name.length.toString().padStart(16, "X")}`,
      Arn: role.arn,
      CreateDate: role.createdAt.toISOString(),
      AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
      Description: role.description,
      MaxSessionDuration: 3600,
    };
  }

  protected action(name: string, params: URLSearchParams): Record<string, XmlValue> | undefined {
    switch (name) {
      case "GetRole":
        return { Role: this.roleXml(this.role(params)) };
      case "CreateRole": {
        const roleName = this.required(params, "RoleName");
        if (!ROLE_NAME.test(roleName))
          throw invalid("ValidationError", `1 validation error detected: Value '${roleName}' at 'roleName' failed to satisfy constraint`);
        const trust = this.required(params, "AssumeRolePolicyDocument");
        if (trust.length > TRUST_POLICY_QUOTA)
          throw invalid("LimitExceeded", `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`, 409);
        parsePolicy(trust, "trust");
        const description = params.get("Description") ?? undefined;
        if (description && description.length > 1000) throw invalid("ValidationError", "description is longer than 1000");
        const tags = queryList(params, "Tags").map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));
        for (const tag of tags) {
          if (!tag.Key || tag.Key.length > 128 || !TAG_PART.test(tag.Key) || tag.Value.length > 256 || !TAG_PART.test(tag.Value)) {
            throw invalid("ValidationError", `invalid tag ${tag.Key}=${tag.Value}`);
          }
        }
        if (this.roles.has(roleName)) throw new FakeAwsError(409, "EntityAlreadyExists", `Role with name ${roleName} already exists.`);
        const role = this.seedRole(roleName, { trustPolicy: trust, tags });
        role.description = description;
        return { Role: { ...this.roleXml(role), Tags: tags } };
      }
      case "ListRoleTags":
        return { Tags: this.role(params).tags, IsTruncated: false };
      case "UpdateAssumeRolePolicy": {
        const role = this.role(params);
        const doc = this.required(params, "PolicyDocument");
        if (doc.length > TRUST_POLICY_QUOTA)
          throw invalid("LimitExceeded", `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`, 409);
        parsePolicy(doc, "trust");
        role.trustPolicy = doc;
        return undefined;
      }
      case "PutRolePolicy": {
        const role = this.role(params);
        const policyName = this.required(params, "PolicyName");
        if (!POLICY_NAME.test(policyName)) throw invalid("ValidationError", `invalid policy name ${policyName}`);
        const doc = this.required(params, "PolicyDocument");
        parsePolicy(doc, "identity");
        const others = [...role.inlinePolicies.entries()].filter(([n]) => n !== policyName).reduce((sum, [, d]) => sum + policySize(d), 0);
        if (others + policySize(doc) > INLINE_POLICY_QUOTA) {
          throw invalid("LimitExceeded", `Maximum policy size of ${INLINE_POLICY_QUOTA} bytes exceeded for role ${role.name}`, 409);
        }
        role.inlinePolicies.set(policyName, doc);
        return undefined;
      }
      case "GetRolePolicy": {
        const role = this.role(params);
        const policyName = this.required(params, "PolicyName");
        const doc = role.inlinePolicies.get(policyName);
        if (doc === undefined) throw new FakeAwsError(404, "NoSuchEntity", `The role policy with name ${policyName} cannot be found.`);
        return { RoleName: role.name, PolicyName: policyName, PolicyDocument: encodeURIComponent(doc) };
      }
      case "ListRolePolicies":
        return { PolicyNames: [...this.role(params).inlinePolicies.keys()], IsTruncated: false };
      case "ListAttachedRolePolicies":
        return {
          AttachedPolicies: this.role(params).attachedPolicies.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split("/").pop() ?? arn })),
          IsTruncated: false,
        };
      case "DeleteRolePolicy": {
        const role = this.role(params);
        const policyName = this.required(params, "PolicyName");
        if (!role.inlinePolicies.delete(policyName))
          throw new FakeAwsError(404, "NoSuchEntity", `The role policy with name ${policyName} cannot be found.`);
        return undefined;
      }
      case "DetachRolePolicy": {
        const role = this.role(params);
        const arn = this.required(params, "PolicyArn");
        role.attachedPolicies = role.attachedPolicies.filter((a) => a !== arn);
        return undefined;
      }
      case "DeleteRole": {
        const role = this.role(params);
        if (role.inlinePolicies.size > 0 || role.attachedPolicies.length > 0) {
          throw new FakeAwsError(409, "DeleteConflict", "Cannot delete entity, must delete policies first.");
        }
        this.roles.delete(role.name);
        return undefined;
      }
      default:
        throw invalid("InvalidAction", `Could not find operation ${name} for version 2010-05-08`);
    }
  }
}
