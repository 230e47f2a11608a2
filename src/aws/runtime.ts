/**
 * The AgentCore control plane for one agent runtime: the request launch sends, create/update/get/
 * list/delete, and the waits (the DEFAULT endpoint serving a given version; the runtime gone).
 */
import type {
  AuthorizerConfiguration,
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommandOutput,
  GetAgentRuntimeEndpointCommandOutput,
} from "@aws-sdk/client-bedrock-agentcore-control";
import type { AgentConfig } from "../config/schema.js";
import { AgentcoreError, ConfigError, fromAwsError } from "../errors.js";
import { closestMatch } from "../util/suggest.js";
import { canonicalJson, sha256Hex } from "./canonical.js";
import { pollUntil, type Timing } from "./polling.js";
import { isAwsError } from "./sdk-errors.js";

export const DEFAULT_ENDPOINT = "DEFAULT";

/**
 * Everything Create and Update send besides the name/id. Update is a full replacement, so this is
 * always complete: leaving authorizerConfiguration out would silently turn a JWT agent into an IAM one.
 */
/** The API's artifact union: an image, or a zip in S3 run on a managed runtime. */
export type RuntimeArtifact =
  | { containerConfiguration: { containerUri: string } }
  | {
      codeConfiguration: {
        code: { s3: { bucket: string; prefix: string; versionId?: string } };
        runtime: NonNullable<AgentConfig["runtime"]>;
        entryPoint: string[];
      };
    };

export interface RuntimeConfiguration {
  agentRuntimeArtifact: RuntimeArtifact;
  roleArn: string;
  networkConfiguration: NonNullable<AgentConfig["networkConfiguration"]>;
  protocolConfiguration: { serverProtocol: AgentConfig["protocol"] };
  environmentVariables: Record<string, string>;
  authorizerConfiguration?: AuthorizerConfiguration;
  requestHeaderConfiguration?: { requestHeaderAllowlist: string[] };
  lifecycleConfiguration?: NonNullable<AgentConfig["lifecycleConfiguration"]>;
}

/** An image URI (container agents) or the whole artifact. */
export function runtimeConfiguration(agent: AgentConfig, artifact: string | RuntimeArtifact, roleArn: string): RuntimeConfiguration {
  return {
    agentRuntimeArtifact: typeof artifact === "string" ? { containerConfiguration: { containerUri: artifact } } : artifact,
    roleArn,
    // Sent on every Update too: it replaces the whole configuration, so leaving these out would reset them.
    networkConfiguration: structuredClone(agent.networkConfiguration ?? { networkMode: "PUBLIC" }),
    protocolConfiguration: { serverProtocol: agent.protocol },
    environmentVariables: { ...agent.environmentVariables },
    // Omitted only for IAM (SigV4) inbound auth. The config schema validated it; customClaims is
    // typed `unknown[]` there, so the cast hands the stored object to the SDK verbatim.
    ...(agent.authorizerConfiguration ? { authorizerConfiguration: agent.authorizerConfiguration as AuthorizerConfiguration } : {}),
    ...(agent.requestHeaderAllowlist.length > 0
      ? { requestHeaderConfiguration: { requestHeaderAllowlist: [...agent.requestHeaderAllowlist] } }
      : {}),
    ...(agent.lifecycleConfiguration && Object.keys(agent.lifecycleConfiguration).length > 0
      ? { lifecycleConfiguration: { ...agent.lifecycleConfiguration } }
      : {}),
  };
}

/**
 * The members the installed SDK's model (@aws-sdk/client-bedrock-agentcore-control) has for the
 * authorizer. The SDK serializes only these and silently drops any other key, so a misspelt
 * "allowedAudiences" would deploy an authorizer WITHOUT that restriction. launch refuses such keys
 * instead. test/aws/runtime-request.test.ts checks these lists against the SDK's schemas.
 */
export const AUTHORIZER_SDK_MEMBERS = {
  customJWTAuthorizer: [
    "discoveryUrl",
    "allowedAudience",
    "allowedClients",
    "allowedScopes",
    "advertisedScopeMapping",
    "customClaims",
    "privateEndpoint",
    "privateEndpointOverrides",
    "allowedWorkloadConfiguration",
  ],
  customClaim: ["inboundTokenClaimName", "inboundTokenClaimValueType", "authorizingClaimMatchValue"],
  authorizingClaimMatchValue: ["claimMatchValue", "claimMatchOperator"],
  claimMatchValue: ["matchValueString", "matchValueStringList"],
} as const;

function unknownMembers(value: unknown, known: readonly string[], at: string): { path: string; key: string; known: readonly string[] }[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => ({ path: `${at}.${key}`, key, known }));
}

/** Fails (before any AWS call) when the agent's authorizer holds keys the SDK would drop without a word. */
export function checkAuthorizerMembers(agent: AgentConfig): void {
  const jwt: unknown = agent.authorizerConfiguration?.customJWTAuthorizer;
  if (!jwt || typeof jwt !== "object") return;
  const m = AUTHORIZER_SDK_MEMBERS;
  const base = `agents.${agent.name}.authorizerConfiguration.customJWTAuthorizer`;
  const problems = unknownMembers(jwt, m.customJWTAuthorizer, base);
  const claims = (jwt as { customClaims?: unknown }).customClaims;
  (Array.isArray(claims) ? claims : []).forEach((claim: unknown, i) => {
    const at = `${base}.customClaims[${i}]`;
    problems.push(...unknownMembers(claim, m.customClaim, at));
    const match = (claim as { authorizingClaimMatchValue?: unknown } | null)?.authorizingClaimMatchValue;
    problems.push(...unknownMembers(match, m.authorizingClaimMatchValue, `${at}.authorizingClaimMatchValue`));
    const value = (match as { claimMatchValue?: unknown } | null | undefined)?.claimMatchValue;
    problems.push(...unknownMembers(value, m.claimMatchValue, `${at}.authorizingClaimMatchValue.claimMatchValue`));
  });
  const [first] = problems;
  if (!first) return;
  const suggestion = closestMatch(first.key, first.known);
  throw new ConfigError(
    `.agentcore.json: ${problems.map((p) => p.path).join(", ")} ${problems.length === 1 ? "is not a field" : "are not fields"} of the AgentCore authorizer, so AWS would never receive ${problems.length === 1 ? "it" : "them"}.`,
    {
      hint: `${suggestion ? `Did you mean "${suggestion}"? ` : ""}Rename or remove it; the fields there are: ${first.known.join(", ")}.`,
      code: "UnknownAuthorizerField",
    },
  );
}

/** Identifies what was deployed: equal hashes mean a launch would change nothing. */
export function configurationHash(configuration: RuntimeConfiguration): string {
  return `sha256:${sha256Hex(canonicalJson(configuration))}`;
}

export function logGroupFor(runtimeId: string, endpoint = DEFAULT_ENDPOINT): string {
  return `/aws/bedrock-agentcore/runtimes/${runtimeId}-${endpoint}`;
}

export interface RuntimeRef {
  id: string;
  arn: string;
  version: string;
  status?: string;
}

const CONTROL_ACCESS_HINT =
  "Your identity needs bedrock-agentcore:CreateAgentRuntime/UpdateAgentRuntime and iam:PassRole on the execution role " +
  "(and, for a code agent, s3:GetObject on its zip: AgentCore reads it with your identity; developer guide: runtime-code-deploy-common-issues).";

export async function createRuntime(
  control: BedrockAgentCoreControlClient,
  name: string,
  configuration: RuntimeConfiguration,
): Promise<RuntimeRef> {
  const { CreateAgentRuntimeCommand } = await import("@aws-sdk/client-bedrock-agentcore-control");
  return refOf(await control.send(new CreateAgentRuntimeCommand({ agentRuntimeName: name, ...configuration })));
}

function refOf(
  out: { agentRuntimeId?: string; agentRuntimeArn?: string; agentRuntimeVersion?: string; status?: string },
  id = "",
): RuntimeRef {
  return { id: out.agentRuntimeId ?? id, arn: out.agentRuntimeArn ?? "", version: out.agentRuntimeVersion ?? "", status: out.status };
}

export async function updateRuntime(
  control: BedrockAgentCoreControlClient,
  id: string,
  configuration: RuntimeConfiguration,
): Promise<RuntimeRef> {
  const { UpdateAgentRuntimeCommand } = await import("@aws-sdk/client-bedrock-agentcore-control");
  return refOf(await control.send(new UpdateAgentRuntimeCommand({ agentRuntimeId: id, ...configuration })), id);
}

/** Create/Update errors as user-facing errors (the service's type and message kept). */
export function runtimeWriteError(error: unknown, action: string): AgentcoreError {
  const hint = isAwsError(error, "AccessDeniedException")
    ? CONTROL_ACCESS_HINT
    : isAwsError(error, "ValidationException")
      ? "Fix the named field in .agentcore.json (or re-run `agentcore-ts configure`) and launch again."
      : undefined;
  return fromAwsError(error, action, hint);
}

export async function getRuntime(control: BedrockAgentCoreControlClient, id: string): Promise<GetAgentRuntimeCommandOutput | undefined> {
  const { GetAgentRuntimeCommand } = await import("@aws-sdk/client-bedrock-agentcore-control");
  try {
    return await control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return undefined;
    throw fromAwsError(error, `GetAgentRuntime ${id}`);
  }
}

export async function getEndpoint(
  control: BedrockAgentCoreControlClient,
  id: string,
  endpointName = DEFAULT_ENDPOINT,
): Promise<GetAgentRuntimeEndpointCommandOutput | undefined> {
  const { GetAgentRuntimeEndpointCommand } = await import("@aws-sdk/client-bedrock-agentcore-control");
  try {
    return await control.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName }));
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return undefined;
    throw fromAwsError(error, `GetAgentRuntimeEndpoint ${id}/${endpointName}`);
  }
}

/** Pages through ListAgentRuntimes for the runtime with this name. */
export async function findRuntimeByName(control: BedrockAgentCoreControlClient, name: string): Promise<RuntimeRef | undefined> {
  const { ListAgentRuntimesCommand } = await import("@aws-sdk/client-bedrock-agentcore-control");
  let nextToken: string | undefined;
  try {
    do {
      const page = await control.send(new ListAgentRuntimesCommand({ maxResults: 100, nextToken }));
      const found = page.agentRuntimes?.find((r) => r.agentRuntimeName === name);
      if (found) return refOf(found);
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw fromAwsError(error, "ListAgentRuntimes");
  }
  return undefined;
}

/** Starts deletion; false when the runtime did not exist. */
export async function deleteRuntime(control: BedrockAgentCoreControlClient, id: string): Promise<boolean> {
  const { DeleteAgentRuntimeCommand } = await import("@aws-sdk/client-bedrock-agentcore-control");
  try {
    await control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id }));
    return true;
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return false;
    throw fromAwsError(error, `DeleteAgentRuntime ${id}`);
  }
}

const IN_PROGRESS = new Set(["CREATING", "UPDATING", "DELETING"]);
const FAILED = new Set(["CREATE_FAILED", "UPDATE_FAILED"]);

export interface LiveEndpoint {
  status: string;
  liveVersion: string;
  endpointArn?: string;
}

/**
 * Waits until the DEFAULT endpoint is READY *and* serves `version` (an endpoint stays READY on the
 * old version for a while after an update). CREATE_FAILED / UPDATE_FAILED end the wait with the
 * service's failureReason.
 */
export async function waitForLiveVersion(
  control: BedrockAgentCoreControlClient,
  runtime: { id: string; version: string },
  timing: Timing,
  progress: (text: string) => void,
): Promise<LiveEndpoint> {
  return pollUntil(
    async () => {
      const rt = await getRuntime(control, runtime.id);
      if (rt?.status && FAILED.has(rt.status) && rt.agentRuntimeVersion === runtime.version) {
        throw deploymentFailed(runtime, rt.status, rt.failureReason);
      }
      const ep = await getEndpoint(control, runtime.id);
      if (ep?.status && FAILED.has(ep.status) && (ep.targetVersion ?? runtime.version) === runtime.version) {
        throw deploymentFailed(runtime, `endpoint ${ep.status}`, ep.failureReason);
      }
      if (ep?.status === "READY" && ep.liveVersion === runtime.version) {
        return { status: ep.status, liveVersion: ep.liveVersion, endpointArn: ep.agentRuntimeEndpointArn };
      }
      if (ep?.liveVersion && Number(ep.liveVersion) > Number(runtime.version)) {
        throw new AgentcoreError(
          `Version ${runtime.version} of ${runtime.id} was superseded by version ${ep.liveVersion} (another deployment).`,
          {
            code: "Superseded",
            hint: "Run `agentcore-ts status` to see what is deployed now.",
          },
        );
      }
      progress(
        `runtime ${rt?.status ?? "not visible yet"}, endpoint ${ep?.status ?? "not created yet"}` +
          (ep ? ` (live version ${ep.liveVersion ?? "none"}, target ${ep.targetVersion ?? runtime.version})` : ""),
      );
      return undefined;
    },
    {
      timing,
      what: `the ${DEFAULT_ENDPOINT} endpoint of ${runtime.id} to serve version ${runtime.version}`,
      hint: "The deployment continues in AWS: `agentcore-ts status` shows its progress, and `agentcore-ts launch` again resumes waiting.",
    },
  );
}

function deploymentFailed(runtime: { id: string; version: string }, status: string, reason: string | undefined): AgentcoreError {
  return new AgentcoreError(
    `Deployment of ${runtime.id} version ${runtime.version} failed (${status}): ${reason ?? "no failureReason given"}`,
    {
      code: "DeploymentFailed",
      hint:
        "Check that the image is linux/arm64 and serves POST /invocations and GET /ping on port 8080, that the execution role can pull it, " +
        `and the logs: log group ${logGroupFor(runtime.id)} (\`agentcore-ts logs --since 1h\`)`,
      details: { runtimeId: runtime.id, version: runtime.version, status, failureReason: reason },
    },
  );
}

/** Waits while the runtime is CREATING/UPDATING/DELETING; returns the settled runtime (undefined if gone). */
export async function waitUntilSettled(
  control: BedrockAgentCoreControlClient,
  id: string,
  timing: Timing,
  progress: (text: string) => void,
): Promise<GetAgentRuntimeCommandOutput | null> {
  return pollUntil(
    async () => {
      const rt = await getRuntime(control, id);
      if (!rt) return null;
      if (rt.status && IN_PROGRESS.has(rt.status)) {
        progress(`runtime ${rt.status}`);
        return undefined;
      }
      return rt;
    },
    { timing, what: `runtime ${id} to finish its current change`, hint: "Run `agentcore-ts status`, then launch again." },
  );
}

/** Waits until GetAgentRuntime answers 404. */
export async function waitUntilDeleted(
  control: BedrockAgentCoreControlClient,
  id: string,
  timing: Timing,
  progress: (text: string) => void,
): Promise<void> {
  await pollUntil(
    async () => {
      const rt = await getRuntime(control, id);
      if (!rt) return true;
      if (rt.status === "DELETE_FAILED") {
        throw new AgentcoreError(`Deleting runtime ${id} failed: ${rt.failureReason ?? "no failureReason given"}`, {
          code: "DeleteFailed",
          hint: "Run `agentcore-ts destroy` again; if it keeps failing, delete the runtime in the AgentCore console.",
        });
      }
      progress(`runtime ${rt.status ?? "DELETING"}`);
      return undefined;
    },
    { timing, what: `runtime ${id} to be deleted`, hint: "Deletion continues in AWS; run `agentcore-ts destroy` again to keep waiting." },
  );
}
