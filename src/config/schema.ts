/**
 * The .agentcore.json schema (zod). Objects are "loose": fields this version does not know are kept
 * on read and written back untouched, so commands never drop what another command (or a newer
 * agentcore-ts) wrote.
 */
import { z } from "zod";
import { CONFIG_VERSION } from "./file.js";
import {
  AGENT_NAME,
  discoveryUrlProblem,
  ENV_KEY,
  headerNameProblem,
  LIFECYCLE_MAX,
  LIFECYCLE_MIN,
  MAX_ENV_VALUE,
  MAX_ENV_VARS,
  MAX_HEADER_ALLOWLIST,
  ROLE_ARN,
  SCOPE,
  SECURITY_GROUP_ID,
  SUBNET_ID,
} from "./patterns.js";
import { SERVER_PROTOCOLS } from "./protocols.js";

const nonEmptyStrings = z.array(z.string().min(1)).min(1);

export const customJwtAuthorizerSchema = z
  .looseObject({
    discoveryUrl: z.string().superRefine((url, ctx) => {
      const problem = discoveryUrlProblem(url);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    allowedClients: nonEmptyStrings.optional(),
    allowedAudience: nonEmptyStrings.optional(),
    allowedScopes: z
      .array(z.string().regex(SCOPE, "scopes are 1-255 printable characters without spaces, quotes or backslashes"))
      .min(1)
      .optional(),
    customClaims: z.array(z.unknown()).min(1).optional(),
    /** allowedScopes key -> the scope advertised in the protected resource metadata and WWW-Authenticate. */
    advertisedScopeMapping: z.record(z.string(), z.string().min(1)).optional(),
  })
  .refine((a) => Boolean(a.allowedClients?.length || a.allowedAudience?.length || a.allowedScopes?.length || a.customClaims?.length), {
    message: "set at least one of allowedClients, allowedAudience, allowedScopes or customClaims",
  });

/** A union in the API: exactly one member, customJWTAuthorizer. */
export const authorizerConfigurationSchema = z.strictObject({ customJWTAuthorizer: customJwtAuthorizerSchema });

export const headerAllowlistSchema = z
  .array(
    z.string().superRefine((name, ctx) => {
      const problem = headerNameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  )
  .max(MAX_HEADER_ALLOWLIST, `at most ${MAX_HEADER_ALLOWLIST} headers`)
  .refine((names) => new Set(names.map((n) => n.toLowerCase())).size === names.length, {
    message: "header names must be unique (case-insensitive)",
  });

export const environmentVariablesSchema = z
  .record(z.string().regex(ENV_KEY, "keys are 1-100 characters"), z.string().max(MAX_ENV_VALUE))
  .refine((vars) => Object.keys(vars).length <= MAX_ENV_VARS, { message: `at most ${MAX_ENV_VARS} variables` });

/**
 * Code runtimes of direct code deployment (AgentManagedRuntimeType in the SDK model) and the day
 * after which AWS blocks updates of agents on them (docs: runtime-code-deploy-supported-runtimes).
 * test/config/deploy-settings.test.ts checks the names against the installed SDK's enum.
 */
export const CODE_RUNTIMES = {
  NODE_22: { language: "node", blockUpdate: "2027-07-01" },
  PYTHON_3_10: { language: "python", blockUpdate: "2026-08-31" },
  PYTHON_3_11: { language: "python", blockUpdate: "2026-08-31" },
  PYTHON_3_12: { language: "python", blockUpdate: "2029-01-10" },
  PYTHON_3_13: { language: "python", blockUpdate: "2029-08-31" },
  PYTHON_3_14: { language: "python", blockUpdate: "2030-08-31" },
} as const;
export type CodeRuntime = keyof typeof CODE_RUNTIMES;
export const codeRuntimeSchema = z.enum(Object.keys(CODE_RUNTIMES) as [CodeRuntime, ...CodeRuntime[]]);

/** networkConfiguration as the API takes it (VpcConfig: 1-16 subnets and security groups, aws-contracts.md §1). */
export const networkConfigurationSchema = z.union([
  z.strictObject({ networkMode: z.literal("PUBLIC") }),
  z.strictObject({
    networkMode: z.literal("VPC"),
    networkModeConfig: z.looseObject({
      subnets: z.array(z.string().regex(SUBNET_ID, "subnet IDs look like subnet-0123456789abcdef0")).min(1).max(16),
      securityGroups: z.array(z.string().regex(SECURITY_GROUP_ID, "security group IDs look like sg-0123456789abcdef0")).min(1).max(16),
    }),
  }),
]);

/** lifecycleConfiguration: whole seconds, each 60-1209600 (the model's range). */
export const lifecycleConfigurationSchema = z.strictObject({
  idleRuntimeSessionTimeout: z.number().int().min(LIFECYCLE_MIN).max(LIFECYCLE_MAX).optional(),
  maxLifetime: z.number().int().min(LIFECYCLE_MIN).max(LIFECYCLE_MAX).optional(),
});

export const deploymentSchema = z.looseObject({
  runtimeId: z.string().optional(),
  runtimeArn: z.string().optional(),
  runtimeVersion: z.string().optional(),
  imageUri: z.string().optional(),
  ecrRepositoryUri: z.string().optional(),
  executionRoleArn: z.string().optional(),
  /** True when agentcore-ts created the execution role (only such roles are ever changed or deleted). */
  executionRoleCreated: z.boolean().optional(),
  /** What the last launch deployed: an image (absent: the older configs) or a code zip. */
  artifact: z.enum(["container", "code"]).optional(),
  /** Code deployments: where the zip is (key = its content hash) and whether agentcore-ts created the bucket. */
  codeBucket: z.string().optional(),
  codeKey: z.string().optional(),
  codeBucketCreated: z.boolean().optional(),
  /** Hash of image + configuration last sent, to skip a launch that would change nothing. */
  configurationHash: z.string().optional(),
  updatedAt: z.string().optional(),
});

export const agentSchema = z.looseObject({
  name: z.string().regex(AGENT_NAME, "must start with a letter and hold only letters, digits and '_' (1-48 characters)"),
  /** Relative to the directory holding .agentcore.json. */
  entrypoint: z.string().min(1),
  language: z.enum(["python", "node"]),
  platform: z.literal("linux/arm64").default("linux/arm64"),
  region: z.string().min(1).optional(),
  executionRole: z.union([z.literal("auto"), z.string().regex(ROLE_ARN, 'must be an IAM role ARN or "auto"')]).default("auto"),
  /** Repository name, or "auto" to derive one from the agent name at launch. */
  ecrRepository: z.string().min(1).default("auto"),
  /** The Dockerfile `launch` builds, relative to the config directory (the build context); absent means "Dockerfile". Written by `configure`. */
  dockerfile: z.string().min(1).optional(),
  /** requirements.txt / pyproject.toml (python) or package.json (node), relative to the config directory. */
  requirementsFile: z.string().min(1).nullable().default(null),
  /** null = IAM (SigV4) inbound auth. */
  authorizerConfiguration: authorizerConfigurationSchema.nullable().default(null),
  requestHeaderAllowlist: headerAllowlistSchema.default([]),
  environmentVariables: environmentVariablesSchema.default({}),
  /** protocolConfiguration.serverProtocol: the container contract the agent serves (src/config/protocols.ts). */
  protocol: z.enum(SERVER_PROTOCOLS).default("HTTP"),
  deployment: deploymentSchema.nullable().default(null),
  /** How launch deploys it: a linux/arm64 image (absent means container) or a code zip (codeConfiguration). */
  deploy: z.enum(["container", "code"]).optional(),
  /** The managed runtime of a code agent. */
  runtime: codeRuntimeSchema.optional(),
  /** Absent means PUBLIC. */
  networkConfiguration: networkConfigurationSchema.optional(),
  lifecycleConfiguration: lifecycleConfigurationSchema.optional(),
});

/**
 * Written by `cognito setup --m2m`: the machine-to-machine parts, all non-secret (the client secret
 * stays with Cognito, or in a 0600 file under AGENTCORE_TS_HOME when the user asks).
 */
export const cognitoM2mSchema = z.looseObject({
  /** The confidential app client (client_credentials). */
  clientId: z.string().min(1),
  clientName: z.string().min(1).optional(),
  /** The resource server identifier; scopes are "<identifier>/<scope>". */
  resourceServer: z.string().min(1),
  /** Full scope strings ("<resource server>/invoke", ...). */
  scopes: z.array(z.string().min(1)).min(1),
  /** The user pool domain prefix (or a custom domain). */
  domain: z.string().min(1),
  /** The token endpoint the discovery document names. */
  tokenEndpoint: z.string().min(1),
});

/** Written by `cognito setup`: identifiers only, never a token or password. */
export const cognitoSchema = z.looseObject({
  region: z.string().min(1),
  userPoolId: z.string().min(1),
  clientId: z.string().min(1),
  username: z.string().min(1),
  discoveryUrl: z.string().min(1),
  poolName: z.string().min(1).optional(),
  /** True when the pool lives in the embedded local Cognito. */
  local: z.boolean().optional(),
  m2m: cognitoM2mSchema.optional(),
  /** `cognito setup --browser-login`: the loopback port of the callback registered on the public client. */
  redirectPort: z.number().int().min(1).max(65535).optional(),
});

export const configSchema = z
  .looseObject({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
    defaultAgent: z.string().optional(),
    agents: z.record(z.string(), agentSchema).default({}),
    cognito: cognitoSchema.optional(),
  })
  .superRefine((config, ctx) => {
    for (const [key, agent] of Object.entries(config.agents)) {
      if (agent.name !== key) {
        ctx.addIssue({ code: "custom", path: ["agents", key, "name"], message: `must equal its key "${key}"` });
      }
    }
    if (config.defaultAgent !== undefined && !(config.defaultAgent in config.agents)) {
      ctx.addIssue({ code: "custom", path: ["defaultAgent"], message: `names no agent in "agents"` });
    }
  });

export type AgentcoreConfig = z.infer<typeof configSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;
export type CognitoConfig = z.infer<typeof cognitoSchema>;
export type NetworkConfiguration = z.infer<typeof networkConfigurationSchema>;
export type LifecycleConfiguration = z.infer<typeof lifecycleConfigurationSchema>;
export type CognitoM2mConfig = z.infer<typeof cognitoM2mSchema>;
export type DeploymentState = z.infer<typeof deploymentSchema>;
export type AuthorizerConfiguration = z.infer<typeof authorizerConfigurationSchema>;
export type CustomJwtAuthorizer = z.infer<typeof customJwtAuthorizerSchema>;

/** "agents.my_agent.authorizerConfiguration.customJWTAuthorizer.discoveryUrl" from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? "(top level)"
    : path
        .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
        .join(".")
        .replace(/\.\[/g, "[");
}
