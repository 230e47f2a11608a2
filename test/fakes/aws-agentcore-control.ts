/**
 * Wire-level fake of the AgentCore control plane (restJson1, signing name bedrock-agentcore) for
 * agent runtimes, per the AgentCore control-plane API reference
 * (https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/Welcome.html):
 * - routes with trailing slashes; Create/Update/Delete answer 202; List* are POST with query
 *   parameters and no body; versions are strings; timestamps ISO-8601;
 * - errors carry `x-amzn-ErrorType` (with the coral suffix) and {"message"}; ValidationException
 *   adds reason + fieldList;
 * - it rejects what the service rejects: name pattern, missing required members, unions without
 *   exactly one member, containerUri / roleArn / discoveryUrl patterns, clientToken length 33-256,
 *   the customJWTAuthorizer without any allowed* list, customClaims (patterns, enums, the
 *   claimMatchValue union, the operator rule), header allowlist 1-20 valid names, env limits, and an
 *   Update without networkConfiguration (a full PUT must repeat it);
 * - Update replaces the whole configuration (no merge);
 * - the execution role must exist in the IAM fake and trust bedrock-agentcore.amazonaws.com
 *   (else "Role validation failed"), like the real service's role check.
 * Status transitions are driven by observation: every Get on a runtime counts as one poll.
 */
import { randomBytes } from "node:crypto";
import { AGENT_NAME, DISCOVERY_URL, HEADER_NAME, SCOPE } from "../../src/config/patterns.js";
import { FAKE_ACCOUNT, type FakeIam } from "./aws-iam.js";
import type { FakeS3 } from "./aws-s3.js";
import { FakeAwsError, FakeAwsService, invalid, type WireRequest, type WireResponse } from "./aws-wire.js";

// The model's patterns, anchored (the service validates full matches).
const CONTAINER_URI =
  /^(([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?|public\.ecr\.aws)\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([^:@]{1,300}))?(?:@(.+))?$/;
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$/;
// Copied as the model writes them: in the name pattern, ".-:" is a character range.
const CLAIM_NAME = /^[A-Za-z0-9_.-:]{1,255}$/;
const CLAIM_VALUE = /^[A-Za-z0-9_.-]{1,255}$/;
const CODE_RUNTIMES = ["PYTHON_3_10", "PYTHON_3_11", "PYTHON_3_12", "PYTHON_3_13", "PYTHON_3_14", "NODE_22"];
const ERROR_SUFFIX = ":http://internal.amazon.com/coral/com.amazonaws.bedrockagentcorecontrol/";

type Status = "CREATING" | "CREATE_FAILED" | "UPDATING" | "UPDATE_FAILED" | "READY" | "DELETING" | "DELETE_FAILED";

export interface FakeEndpoint {
  status: Status;
  liveVersion?: string;
  targetVersion?: string;
  failureReason?: string;
  createdAt: Date;
  lastUpdatedAt: Date;
}

export interface FakeRuntime {
  id: string;
  name: string;
  arn: string;
  version: number;
  status: Status;
  failureReason?: string;
  /** The last Create/Update body (without clientToken): the whole configuration. */
  configuration: Record<string, unknown>;
  createdAt: Date;
  lastUpdatedAt: Date;
  endpoint: FakeEndpoint;
  /** Polls left until the current transition completes. */
  pollsLeft: number;
  /** What the current transition ends in. */
  pending?: { kind: "create" | "update" | "delete"; failure?: string };
}

export interface ControlOptions {
  region?: string;
  account?: string;
  /** Polls (Get calls on the runtime) a create/update/delete takes. Default 2. */
  pollsToSettle?: number;
  /** Page size of ListAgentRuntimes (the service may return fewer than maxResults). */
  listPageSize?: number;
}

export class FakeAgentCoreControl extends FakeAwsService {
  readonly runtimes = new Map<string, FakeRuntime>();
  readonly region: string;
  readonly account: string;
  pollsToSettle: number;
  listPageSize: number;
  /** The next Create/Update settles in CREATE_FAILED/UPDATE_FAILED with this failureReason. */
  failNextDeployment?: string;
  /** Where code artifacts are read from (set by startAwsFakes). */
  s3?: FakeS3;
  /** The next this-many Create/Update calls are refused with "Role validation failed" (a fresh role still propagating). */
  roleNotAssumableTimes = 0;

  constructor(
    private readonly iam: FakeIam | undefined,
    options: ControlOptions = {},
  ) {
    const region = options.region ?? "us-east-1";
    super("bedrock-agentcore-control", "bedrock-agentcore", region);
    this.region = region;
    this.account = options.account ?? FAKE_ACCOUNT;
    this.pollsToSettle = options.pollsToSettle ?? 2;
    this.listPageSize = options.listPageSize ?? 100;
  }

  /** A runtime that exists before the test (e.g. created by an earlier run whose config was lost). */
  seedRuntime(name: string, configuration: Record<string, unknown> = {}): FakeRuntime {
    const runtime = this.newRuntime(name, configuration);
    runtime.status = "READY";
    runtime.endpoint = { ...runtime.endpoint, status: "READY", liveVersion: "1" };
    runtime.pollsLeft = 0;
    runtime.pending = undefined;
    return runtime;
  }

  runtimeByName(name: string): FakeRuntime | undefined {
    return [...this.runtimes.values()].find((r) => r.name === name);
  }

  private newRuntime(name: string, configuration: Record<string, unknown>): FakeRuntime {
    const id = `${name}-${randomBytes(8)
      .toString("base64")
      .replace(/[^a-zA-Z0-9]/g, "")
      .padEnd(10, "x")
      .slice(0, 10)}`;
    const now = new Date();
    const runtime: FakeRuntime = {
      id,
      name,
      arn: `arn:aws:bedrock-agentcore:${this.region}:${this.account}:runtime/${id}`,
      version: 1,
      status: "CREATING",
      configuration,
      createdAt: now,
      lastUpdatedAt: now,
      endpoint: { status: "CREATING", targetVersion: "1", createdAt: now, lastUpdatedAt: now },
      pollsLeft: this.pollsToSettle,
      pending: { kind: "create" },
    };
    this.runtimes.set(id, runtime);
    return runtime;
  }

  /** One observation: the current transition moves one step closer to done. */
  private observe(runtime: FakeRuntime): void {
    if (!runtime.pending) return;
    if (runtime.pollsLeft > 0) {
      runtime.pollsLeft -= 1;
      return;
    }
    const { kind, failure } = runtime.pending;
    runtime.pending = undefined;
    const now = new Date();
    runtime.lastUpdatedAt = now;
    runtime.endpoint.lastUpdatedAt = now;
    if (kind === "delete") {
      this.runtimes.delete(runtime.id);
      return;
    }
    if (failure) {
      runtime.status = kind === "create" ? "CREATE_FAILED" : "UPDATE_FAILED";
      runtime.failureReason = failure;
      if (kind === "create") runtime.endpoint = { ...runtime.endpoint, status: "CREATE_FAILED", failureReason: failure };
      else runtime.endpoint = { ...runtime.endpoint, status: "READY", targetVersion: undefined };
      return;
    }
    runtime.status = "READY";
    runtime.failureReason = undefined;
    runtime.endpoint = {
      ...runtime.endpoint,
      status: "READY",
      liveVersion: String(runtime.version),
      targetVersion: undefined,
      failureReason: undefined,
    };
  }

  private runtime(id: string): FakeRuntime {
    const runtime = this.runtimes.get(id);
    if (!runtime) throw new FakeAwsError(404, "ResourceNotFoundException", `AgentRuntime not found: ${id}`);
    return runtime;
  }

  protected handle(request: WireRequest): WireResponse {
    const segments = request.path.split("/").map(decodeURIComponent);
    // "/runtimes/" -> ["", "runtimes", ""]; every route ends with a slash.
    if (segments[segments.length - 1] !== "" || segments[1] !== "runtimes") {
      this.current = { operation: `${request.method} ${request.path}`, input: undefined };
      throw invalid("UnknownOperationException", `No route for ${request.method} ${request.path} (routes end with a slash)`, 404);
    }
    const parts = segments.slice(2, -1);
    const body = this.jsonBody(request);
    const route = `${request.method} ${
      parts.length === 0
        ? ""
        : parts.length === 1
          ? "{id}"
          : `{id}/${parts
              .slice(1)
              .map((p, i) => (i === 1 ? "{name}" : p))
              .join("/")}`
    }`;
    switch (route) {
      case "PUT ":
        return this.create(body);
      case "POST ":
        return this.list(request);
      case "PUT {id}":
        return this.update(parts[0]!, body);
      case "GET {id}":
        return this.get(parts[0]!, request);
      case "DELETE {id}":
        return this.delete(parts[0]!, request);
      case "GET {id}/runtime-endpoints/{name}":
        return this.getEndpoint(parts[0]!, parts[2]!);
      default:
        this.current = { operation: route, input: body };
        throw invalid("UnknownOperationException", `fake control plane has no route ${route}`, 404);
    }
  }

  private jsonBody(request: WireRequest): Record<string, unknown> | undefined {
    if (request.body.length === 0) return undefined;
    if (!String(request.headers["content-type"] ?? "").startsWith("application/json"))
      throw invalid("SerializationException", "body must be application/json");
    try {
      return JSON.parse(request.body.toString("utf8")) as Record<string, unknown>;
    } catch {
      throw invalid("SerializationException", "body is not JSON");
    }
  }

  private noBody(body: unknown, operation: string): void {
    if (body !== undefined) throw invalid("SerializationException", `${operation} takes no body`);
  }

  private json(status: number, value: unknown): WireResponse {
    return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
  }

  protected errorResponse(error: FakeAwsError): WireResponse {
    return {
      status: error.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": `${error.type}${ERROR_SUFFIX}` },
      body: JSON.stringify({ message: error.message, ...error.extra }),
    };
  }

  // ---- validation ----

  private fieldError(name: string, message: string): FakeAwsError {
    return invalid("ValidationException", `1 validation error detected: Value at '${name}' failed to satisfy constraint: ${message}`, 400, {
      reason: "FieldValidationFailed",
      fieldList: [{ name, message }],
    });
  }

  private union(value: unknown, field: string, members: string[]): string {
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw this.fieldError(field, "Member must be a structure");
    const set = Object.keys(value).filter(
      (k) => (value as Record<string, unknown>)[k] !== undefined && (value as Record<string, unknown>)[k] !== null,
    );
    if (set.length !== 1) throw this.fieldError(field, `Union must have exactly one member set, got ${set.length}`);
    if (!members.includes(set[0]!)) throw this.fieldError(field, `Unknown union member ${set[0]}`);
    return set[0]!;
  }

  private stringList(value: unknown, field: string, item?: RegExp): string[] {
    if (!Array.isArray(value) || value.length < 1) throw this.fieldError(field, "Member must have length greater than or equal to 1");
    for (const v of value) {
      if (typeof v !== "string" || (item && !item.test(v)))
        throw this.fieldError(field, `Member must satisfy regular expression pattern: ${item?.source ?? ".+"}`);
    }
    return value as string[];
  }

  /** CustomClaimValidationType list (API reference: API_CustomClaimValidationType.html): patterns, enums, the claimMatchValue union, the operator rule. */
  private customClaims(value: unknown): void {
    const field = "authorizerConfiguration.customJWTAuthorizer.customClaims";
    if (!Array.isArray(value) || value.length < 1) throw this.fieldError(field, "Member must have length greater than or equal to 1");
    value.forEach((item: unknown, i) => {
      const at = `${field}.${i + 1}.member`;
      const claim = (item ?? {}) as {
        inboundTokenClaimName?: unknown;
        inboundTokenClaimValueType?: unknown;
        authorizingClaimMatchValue?: unknown;
      };
      if (typeof claim.inboundTokenClaimName !== "string") throw this.fieldError(`${at}.inboundTokenClaimName`, "Member must not be null");
      if (!CLAIM_NAME.test(claim.inboundTokenClaimName))
        throw this.fieldError(`${at}.inboundTokenClaimName`, "Member must satisfy regular expression pattern: [A-Za-z0-9_.-:]+");
      const type = claim.inboundTokenClaimValueType;
      if (type !== "STRING" && type !== "STRING_ARRAY")
        throw this.fieldError(`${at}.inboundTokenClaimValueType`, "Member must satisfy enum value set: [STRING, STRING_ARRAY]");
      const match = claim.authorizingClaimMatchValue as { claimMatchValue?: unknown; claimMatchOperator?: unknown } | undefined;
      if (!match || typeof match !== "object") throw this.fieldError(`${at}.authorizingClaimMatchValue`, "Member must not be null");
      const kind = this.union(match.claimMatchValue, `${at}.authorizingClaimMatchValue.claimMatchValue`, [
        "matchValueString",
        "matchValueStringList",
      ]);
      const matchValue = (match.claimMatchValue as Record<string, unknown>)[kind];
      const valueField = `${at}.authorizingClaimMatchValue.claimMatchValue.${kind}`;
      if (kind === "matchValueString" && (typeof matchValue !== "string" || !CLAIM_VALUE.test(matchValue))) {
        throw this.fieldError(valueField, "Member must satisfy regular expression pattern: [A-Za-z0-9_.-]+");
      }
      if (kind === "matchValueStringList") this.stringList(matchValue, valueField, CLAIM_VALUE);
      const operator = match.claimMatchOperator;
      if (operator !== "EQUALS" && operator !== "CONTAINS" && operator !== "CONTAINS_ANY") {
        throw this.fieldError(
          `${at}.authorizingClaimMatchValue.claimMatchOperator`,
          "Member must satisfy enum value set: [EQUALS, CONTAINS, CONTAINS_ANY]",
        );
      }
      // Semantic rule from the docs: STRING claims compare with EQUALS, STRING_ARRAY claims with CONTAINS / CONTAINS_ANY.
      if ((type === "STRING") !== (operator === "EQUALS")) {
        throw invalid("ValidationException", `claimMatchOperator ${operator} cannot be used with inboundTokenClaimValueType ${type}`, 400, {
          reason: "FieldValidationFailed",
        });
      }
    });
  }

  /** Everything Create and Update share. Returns the configuration as stored (Update = full replacement). */
  private validateConfiguration(body: Record<string, unknown>): Record<string, unknown> {
    const { clientToken, agentRuntimeName: _name, ...configuration } = body;
    if (clientToken !== undefined) {
      if (typeof clientToken !== "string" || clientToken.length < 33 || clientToken.length > 256 || !CLIENT_TOKEN.test(clientToken)) {
        throw this.fieldError("clientToken", "Member must have length between 33 and 256 and satisfy [a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}");
      }
    }
    if (body.agentRuntimeArtifact === undefined) throw this.fieldError("agentRuntimeArtifact", "Member must not be null");
    const artifact = this.union(body.agentRuntimeArtifact, "agentRuntimeArtifact", ["containerConfiguration", "codeConfiguration"]);
    if (artifact === "containerConfiguration") {
      const uri = (body.agentRuntimeArtifact as { containerConfiguration: { containerUri?: unknown } }).containerConfiguration.containerUri;
      if (typeof uri !== "string")
        throw this.fieldError("agentRuntimeArtifact.containerConfiguration.containerUri", "Member must not be null");
      if (uri.length > 1024 || !CONTAINER_URI.test(uri))
        throw this.fieldError("agentRuntimeArtifact.containerConfiguration.containerUri", "Member must satisfy the container URI pattern");
    }
    if (artifact === "codeConfiguration")
      this.codeConfiguration((body.agentRuntimeArtifact as { codeConfiguration: Record<string, unknown> }).codeConfiguration);
    const roleArn = body.roleArn;
    if (typeof roleArn !== "string") throw this.fieldError("roleArn", "Member must not be null");
    if (roleArn.length > 2048 || !ROLE_ARN.test(roleArn))
      throw this.fieldError("roleArn", "Member must satisfy regular expression pattern: arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+");
    if (body.networkConfiguration !== undefined) {
      const net = body.networkConfiguration as { networkMode?: unknown; networkModeConfig?: unknown };
      if (net.networkMode !== "PUBLIC" && net.networkMode !== "VPC")
        throw this.fieldError("networkConfiguration.networkMode", "Member must satisfy enum value set: [PUBLIC, VPC]");
      if (net.networkMode === "VPC" && !net.networkModeConfig)
        throw invalid("ValidationException", "VPC network mode requires networkModeConfig", 400, { reason: "FieldValidationFailed" });
    }
    if (body.protocolConfiguration !== undefined) {
      const protocol = (body.protocolConfiguration as { serverProtocol?: unknown }).serverProtocol;
      if (!["HTTP", "MCP", "A2A", "AGUI"].includes(String(protocol)))
        throw this.fieldError("protocolConfiguration.serverProtocol", "Member must satisfy enum value set: [HTTP, MCP, A2A, AGUI]");
    }
    if (body.authorizerConfiguration !== undefined) {
      this.union(body.authorizerConfiguration, "authorizerConfiguration", ["customJWTAuthorizer"]);
      const jwt = (body.authorizerConfiguration as { customJWTAuthorizer: Record<string, unknown> }).customJWTAuthorizer;
      const url = jwt.discoveryUrl;
      if (typeof url !== "string")
        throw this.fieldError("authorizerConfiguration.customJWTAuthorizer.discoveryUrl", "Member must not be null");
      if (!DISCOVERY_URL.test(url))
        throw this.fieldError(
          "authorizerConfiguration.customJWTAuthorizer.discoveryUrl",
          "Member must satisfy regular expression pattern: .+/\\.well-known/openid-configuration",
        );
      if (jwt.allowedAudience !== undefined)
        this.stringList(jwt.allowedAudience, "authorizerConfiguration.customJWTAuthorizer.allowedAudience");
      if (jwt.allowedClients !== undefined)
        this.stringList(jwt.allowedClients, "authorizerConfiguration.customJWTAuthorizer.allowedClients");
      if (jwt.allowedScopes !== undefined)
        this.stringList(jwt.allowedScopes, "authorizerConfiguration.customJWTAuthorizer.allowedScopes", SCOPE);
      if (jwt.customClaims !== undefined) this.customClaims(jwt.customClaims);
      if ([jwt.allowedAudience, jwt.allowedClients, jwt.allowedScopes, jwt.customClaims].every((v) => v === undefined)) {
        throw invalid(
          "ValidationException",
          "At least one of allowedAudience, allowedClients, allowedScopes or customClaims must be set",
          400,
          { reason: "FieldValidationFailed" },
        );
      }
    }
    if (body.requestHeaderConfiguration !== undefined) {
      this.union(body.requestHeaderConfiguration, "requestHeaderConfiguration", ["requestHeaderAllowlist"]);
      const names = this.stringList(
        (body.requestHeaderConfiguration as { requestHeaderAllowlist: unknown }).requestHeaderAllowlist,
        "requestHeaderConfiguration.requestHeaderAllowlist",
        HEADER_NAME,
      );
      if (names.length > 20)
        throw this.fieldError("requestHeaderConfiguration.requestHeaderAllowlist", "Member must have length less than or equal to 20");
    }
    if (body.environmentVariables !== undefined) {
      const env = body.environmentVariables as Record<string, unknown>;
      if (Object.keys(env).length > 50) throw this.fieldError("environmentVariables", "Member must have length less than or equal to 50");
      for (const [k, v] of Object.entries(env)) {
        if (k.length < 1 || k.length > 100 || typeof v !== "string" || v.length > 5000)
          throw this.fieldError("environmentVariables", "Map keys 1-100 characters, values at most 5000");
      }
    }
    if (body.lifecycleConfiguration !== undefined) {
      for (const [k, v] of Object.entries(body.lifecycleConfiguration as Record<string, unknown>)) {
        if (typeof v !== "number" || v < 60 || v > 1209600)
          throw this.fieldError(`lifecycleConfiguration.${k}`, "Member must be between 60 and 1209600");
      }
    }
    return configuration;
  }

  /**
   * CodeConfiguration as the model has it: code (a union, member s3 {bucket, prefix, versionId?}),
   * runtime (AgentManagedRuntimeType), entryPoint (1-2 strings of 1-128 characters). The service
   * reads the zip with the caller's identity at create/update time, so a missing object is refused.
   */
  private codeConfiguration(code: Record<string, unknown>): void {
    const at = "agentRuntimeArtifact.codeConfiguration";
    if (code.code === undefined) throw this.fieldError(`${at}.code`, "Member must not be null");
    this.union(code.code, `${at}.code`, ["s3"]);
    const s3 = (code.code as { s3: { bucket?: unknown; prefix?: unknown; versionId?: unknown } }).s3;
    if (typeof s3.bucket !== "string" || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3.bucket))
      throw this.fieldError(`${at}.code.s3.bucket`, "Member must satisfy regular expression pattern: [a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    if (typeof s3.prefix !== "string" || s3.prefix.length < 1 || s3.prefix.length > 1024)
      throw this.fieldError(`${at}.code.s3.prefix`, "Member must have length between 1 and 1024");
    if (!CODE_RUNTIMES.includes(String(code.runtime)))
      throw this.fieldError(`${at}.runtime`, `Member must satisfy enum value set: [${CODE_RUNTIMES.join(", ")}]`);
    const entry = code.entryPoint;
    if (
      !Array.isArray(entry) ||
      entry.length < 1 ||
      entry.length > 2 ||
      entry.some((e) => typeof e !== "string" || e.length < 1 || e.length > 128)
    )
      throw this.fieldError(`${at}.entryPoint`, "Member must have 1-2 items, each of length between 1 and 128");
    if (this.s3 && !this.s3.object(s3.bucket, s3.prefix)) {
      throw invalid(
        "ValidationException",
        `Unable to access the code artifact s3://${s3.bucket}/${s3.prefix}: the object does not exist or access is denied`,
        400,
        {
          reason: "FieldValidationFailed",
        },
      );
    }
  }

  /** The service checks the execution role can be assumed by bedrock-agentcore. */
  private checkRole(roleArn: string): void {
    if (this.roleNotAssumableTimes > 0) {
      this.roleNotAssumableTimes -= 1;
      throw new FakeAwsError(
        400,
        "ValidationException",
        `Role validation failed for ${roleArn}. Please verify that the role exists and that bedrock-agentcore.amazonaws.com can assume it.`,
        false,
        { reason: "FieldValidationFailed" },
      );
    }
    if (!this.iam) return;
    const role = this.iam.roleByArn(roleArn);
    if (!role?.trustPolicy.includes("bedrock-agentcore.amazonaws.com")) {
      throw new FakeAwsError(
        400,
        "ValidationException",
        `Role validation failed for ${roleArn}. Please verify that the role exists and that bedrock-agentcore.amazonaws.com can assume it.`,
        false,
        { reason: "FieldValidationFailed" },
      );
    }
  }

  private takeFailure(): string | undefined {
    const failure = this.failNextDeployment;
    this.failNextDeployment = undefined;
    return failure;
  }

  // ---- operations ----

  private create(body: Record<string, unknown> | undefined): WireResponse {
    this.current = { operation: "CreateAgentRuntime", input: body };
    if (!body) throw this.fieldError("agentRuntimeName", "Member must not be null");
    const name = body.agentRuntimeName;
    if (typeof name !== "string") throw this.fieldError("agentRuntimeName", "Member must not be null");
    if (!AGENT_NAME.test(name))
      throw this.fieldError("agentRuntimeName", "Member must satisfy regular expression pattern: [a-zA-Z][a-zA-Z0-9_]{0,47}");
    const configuration = this.validateConfiguration(body);
    if (this.runtimeByName(name)) throw new FakeAwsError(409, "ConflictException", `An agent runtime with the name ${name} already exists`);
    this.checkRole(body.roleArn as string);
    const runtime = this.newRuntime(name, configuration);
    runtime.pending = { kind: "create", failure: this.takeFailure() };
    return this.writeResponse(runtime, {
      workloadIdentityDetails: {
        workloadIdentityArn: `arn:aws:bedrock-agentcore:${this.region}:${this.account}:workload-identity-directory/default/workload-identity/${name}-wi`,
      },
    });
  }

  private update(id: string, body: Record<string, unknown> | undefined): WireResponse {
    this.current = { operation: "UpdateAgentRuntime", input: body };
    if (!body) throw this.fieldError("agentRuntimeArtifact", "Member must not be null");
    if ("agentRuntimeName" in body)
      throw invalid("SerializationException", "agentRuntimeName is not a member of UpdateAgentRuntimeRequest");
    // Optional in the model, but the API reference says Update is a full PUT that must repeat it (API_UpdateAgentRuntime.html).
    if (body.networkConfiguration === undefined)
      throw this.fieldError("networkConfiguration", "Member must not be null (UpdateAgentRuntime replaces the whole configuration)");
    const configuration = this.validateConfiguration(body);
    const runtime = this.runtime(id);
    if (runtime.status === "CREATING" || runtime.status === "UPDATING" || runtime.status === "DELETING") {
      throw new FakeAwsError(409, "ConflictException", `AgentRuntime ${id} is in ${runtime.status} state and cannot be updated`);
    }
    this.checkRole(body.roleArn as string);
    runtime.version += 1;
    runtime.configuration = configuration; // full replacement
    runtime.status = "UPDATING";
    runtime.failureReason = undefined;
    runtime.lastUpdatedAt = new Date();
    // The endpoint keeps serving (READY) the old version until the new one is live.
    runtime.endpoint = {
      ...runtime.endpoint,
      status: runtime.endpoint.liveVersion ? "READY" : "UPDATING",
      targetVersion: String(runtime.version),
    };
    runtime.pollsLeft = this.pollsToSettle;
    runtime.pending = { kind: "update", failure: this.takeFailure() };
    return this.writeResponse(runtime, { lastUpdatedAt: runtime.lastUpdatedAt.toISOString() });
  }

  /** The 202 answer of Create and Update. */
  private writeResponse(runtime: FakeRuntime, extra: Record<string, unknown>): WireResponse {
    return this.json(202, {
      agentRuntimeArn: runtime.arn,
      agentRuntimeId: runtime.id,
      agentRuntimeVersion: String(runtime.version),
      createdAt: runtime.createdAt.toISOString(),
      status: runtime.status,
      ...extra,
    });
  }

  private get(id: string, request: WireRequest): WireResponse {
    this.current = { operation: "GetAgentRuntime", input: { agentRuntimeId: id } };
    this.noBody(this.jsonBody(request), "GetAgentRuntime");
    this.observe(this.runtime(id));
    const runtime = this.runtime(id);
    return this.json(200, {
      agentRuntimeArn: runtime.arn,
      agentRuntimeName: runtime.name,
      agentRuntimeId: runtime.id,
      agentRuntimeVersion: String(runtime.version),
      createdAt: runtime.createdAt.toISOString(),
      lastUpdatedAt: runtime.lastUpdatedAt.toISOString(),
      status: runtime.status,
      lifecycleConfiguration: { idleRuntimeSessionTimeout: 900, maxLifetime: 28800 },
      ...(runtime.failureReason ? { failureReason: runtime.failureReason } : {}),
      ...runtime.configuration,
    });
  }

  private getEndpoint(id: string, name: string): WireResponse {
    this.current = { operation: "GetAgentRuntimeEndpoint", input: { agentRuntimeId: id, endpointName: name } };
    if (!AGENT_NAME.test(name))
      throw this.fieldError("endpointName", "Member must satisfy regular expression pattern: [a-zA-Z][a-zA-Z0-9_]{0,47}");
    this.observe(this.runtime(id));
    const runtime = this.runtime(id);
    if (name !== "DEFAULT") throw new FakeAwsError(404, "ResourceNotFoundException", `Endpoint ${name} not found`);
    const ep = runtime.endpoint;
    return this.json(200, {
      agentRuntimeEndpointArn: `${runtime.arn}/runtime-endpoint/DEFAULT`,
      agentRuntimeArn: runtime.arn,
      status: ep.status,
      createdAt: ep.createdAt.toISOString(),
      lastUpdatedAt: ep.lastUpdatedAt.toISOString(),
      name: "DEFAULT",
      id: `DEFAULT-${runtime.id.slice(-10)}`,
      ...(ep.liveVersion ? { liveVersion: ep.liveVersion } : {}),
      ...(ep.targetVersion ? { targetVersion: ep.targetVersion } : {}),
      ...(ep.failureReason ? { failureReason: ep.failureReason } : {}),
    });
  }

  private list(request: WireRequest): WireResponse {
    const maxResults = request.query.get("maxResults");
    const nextToken = request.query.get("nextToken");
    this.current = { operation: "ListAgentRuntimes", input: { maxResults, nextToken } };
    if (request.body.length > 0)
      throw invalid("SerializationException", "ListAgentRuntimes takes its parameters in the query string, not a body");
    const max = maxResults === null ? 100 : Number(maxResults);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw this.fieldError("maxResults", "Member must be between 1 and 100");
    const start = nextToken === null ? 0 : Number(Buffer.from(nextToken, "base64").toString("utf8"));
    const all = [...this.runtimes.values()];
    const page = all.slice(start, start + Math.min(max, this.listPageSize));
    const next = start + page.length < all.length ? Buffer.from(String(start + page.length)).toString("base64") : undefined;
    return this.json(200, {
      agentRuntimes: page.map((r) => ({
        agentRuntimeArn: r.arn,
        agentRuntimeId: r.id,
        agentRuntimeVersion: String(r.version),
        agentRuntimeName: r.name,
        description: "",
        lastUpdatedAt: r.lastUpdatedAt.toISOString(),
        status: r.status,
      })),
      ...(next ? { nextToken: next } : {}),
    });
  }

  private delete(id: string, request: WireRequest): WireResponse {
    const clientToken = request.query.get("clientToken");
    this.current = { operation: "DeleteAgentRuntime", input: { agentRuntimeId: id, clientToken } };
    this.noBody(this.jsonBody(request), "DeleteAgentRuntime");
    if (clientToken !== null && (clientToken.length < 33 || clientToken.length > 256 || !CLIENT_TOKEN.test(clientToken))) {
      throw this.fieldError("clientToken", "Member must have length between 33 and 256");
    }
    const runtime = this.runtime(id);
    if (runtime.status === "DELETING") throw new FakeAwsError(409, "ConflictException", `AgentRuntime ${id} is already being deleted`);
    runtime.status = "DELETING";
    runtime.endpoint.status = "DELETING";
    runtime.pollsLeft = this.pollsToSettle;
    runtime.pending = { kind: "delete" };
    return this.json(202, { status: "DELETING", agentRuntimeId: id, agentRuntimeVersion: String(runtime.version) });
  }
}
