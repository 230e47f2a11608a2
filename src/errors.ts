/**
 * The one error family. Every failure a user can meet is an AgentcoreError with a one-sentence
 * message and, where we know one, a hint with the fix. The CLI layer prints them (src/cli/run.ts);
 * nothing below it writes to the console or exits.
 */

/**
 * Every code this tool's own errors carry (`error` in the --json error document). Scripts may match on
 * them, so a code is only ever added here, never renamed. Errors an AWS service answered with carry the
 * service's own error type instead (AwsServiceError).
 */
export const ERROR_CODES = [
  "A2ARpcError",
  "A2ATaskFailed",
  "AgentAmbiguous",
  "AgentExited",
  "AgentNotFound",
  "AgentNotHealthy",
  "AgentStartFailed",
  "AgentStreamError",
  "AguiRunError",
  "ArtifactSwitch",
  "AuthChallenge",
  "AuthorizationHeaderWithIam",
  "BadName",
  "BadPassword",
  "BadPort",
  "BadReadyLine",
  "BadUsername",
  "BearerForIamAgent",
  "BundleFailed",
  "Cancelled",
  "ClientHasSecret",
  "ClientSecretRequired",
  "ConfigError",
  "ConfigInvalid",
  "ConfigNotFound",
  "ConfigUnreadable",
  "ConfigureMismatch",
  "ConfirmationRequired",
  "ConflictingFlags",
  "DeleteFailed",
  "DependenciesMissing",
  "DependencyCheckFailed",
  "DependencyInstallFailed",
  "DependencyMissing",
  "DependencyResolveFailed",
  "DeploymentFailed",
  "DirectoryNotEmpty",
  "DiscoveryInvalid",
  "DiscoveryNotFound",
  "DiscoveryUnreachable",
  "DockerfileNotFound",
  "DotenvUnusable",
  "EHOLD",
  "ETIMEDOUT",
  "EcrRegionMismatch",
  "EmbeddedCognitoPortTaken",
  "EmbeddedCognitoStartFailed",
  "EmbeddedCognitoUnavailable",
  "EmptyPayload",
  "EmptyStdin",
  "EmptyToken",
  "EngineFailed",
  "EntrypointNotFound",
  "EntrypointOutsidePackage",
  "EntrypointUnsupported",
  "EnvFileNotFound",
  "Error",
  "Exited",
  "FileSystemError",
  "HomeNotDirectory",
  "ImageBuildFailed",
  "ImagePushFailed",
  "InternalError",
  "Interrupted",
  "InvalidAgentName",
  "InvalidArn",
  "InvalidAuthorizerConfig",
  "InvalidDeployMode",
  "InvalidDiscoveryUrl",
  "InvalidEcrRepository",
  "InvalidEnv",
  "InvalidExecutionRole",
  "InvalidHeader",
  "InvalidImageUri",
  "InvalidLifecycle",
  "InvalidMcpOperation",
  "InvalidNetwork",
  "InvalidPackageJson",
  "InvalidPayload",
  "InvalidProtocol",
  "InvalidQualifier",
  "InvalidRegion",
  "InvalidRepository",
  "InvalidRuntime",
  "InvalidScope",
  "InvalidSessionId",
  "InvalidSince",
  "InvalidTimeout",
  "InvalidToken",
  "InvalidToolInput",
  "InvalidUserId",
  "IssuerUnreachable",
  "LocalDiscoveryUrl",
  "LocalGatewayDown",
  "LocalLogsUnavailable",
  "LocalRequired",
  "LocalRuntimeRunning",
  "McpError",
  "McpToolError",
  "MissingValue",
  "NativeModuleUnsupported",
  "NetworkError",
  "NoAccessToken",
  "NoAgents",
  "NoAuthorizer",
  "NoBearerToken",
  "NoContainerEngine",
  "NoLocalRuntime",
  "NoNodeBuild",
  "NoPackageJson",
  "NoPayload",
  "NoRegion",
  "NotADirectory",
  "NotDeployed",
  "OAuthError",
  "OutsideProject",
  "PackageTooLarge",
  "PasswordRequired",
  "PortInUse",
  "ProfileNotFound",
  "RefreshTokenRejected",
  "RegionMismatch",
  "RegistryLoginFailed",
  "RepositoryNotFound",
  "RequirementsNotFound",
  "ResourceNotFoundException",
  "RuntimeDeprecated",
  "SecretInConfig",
  "SessionsLocked",
  "SpawnError",
  "StartTimeout",
  "StdinIsTTY",
  "StopFailed",
  "StopIncomplete",
  "StreamInterrupted",
  "Superseded",
  "Timeout",
  "TokenAmbiguous",
  "TokenCacheCorrupt",
  "TokenCacheLocked",
  "TokenCacheUnreadable",
  "TokenExpired",
  "TooManyHeaders",
  "Unexpected401Result",
  "UnexpectedAnswer",
  "UnknownAuthorizerField",
  "UnsafePath",
  "UnsupportedEntrypoint",
  "UnsupportedFlow",
  "UsageError",
  "UserIdWithBearer",
  "ValidationError",
  "WrongRequirementsFile",
  "custom",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AgentcoreErrorOptions {
  /** What to do about it; printed under the message. */
  hint?: string;
  /** Stable machine-readable code, printed with --json: one of ERROR_CODES. */
  code?: ErrorCode;
  /** Process exit code: 1 failure (default), 2 usage error. */
  exitCode?: number;
  cause?: unknown;
  /** Extra machine-readable facts for --json (never secrets). */
  details?: Record<string, unknown>;
}

export class AgentcoreError extends Error {
  readonly hint?: string;
  readonly code: string;
  readonly exitCode: number;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: AgentcoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.code = options.code ?? "Error";
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** The user typed something wrong or left out a required value (exit 2). */
export class UsageError extends AgentcoreError {
  constructor(message: string, options: AgentcoreErrorOptions = {}) {
    super(message, { code: "UsageError", exitCode: 2, ...options });
  }
}

/** A value failed validation (exit 1, nothing written). */
export class ValidationError extends AgentcoreError {
  constructor(message: string, options: AgentcoreErrorOptions = {}) {
    super(message, { code: "ValidationError", ...options });
  }
}

/** .agentcore.json is missing, unreadable or invalid. */
export class ConfigError extends AgentcoreError {
  constructor(message: string, options: AgentcoreErrorOptions = {}) {
    super(message, { code: "ConfigError", ...options });
  }
}

/** An AWS service answered with an error: keeps the service's own type and message. */
export class AwsServiceError extends AgentcoreError {
  readonly serviceErrorType: string;
  readonly httpStatus?: number;

  constructor(
    action: string,
    serviceErrorType: string,
    serviceMessage: string,
    options: AgentcoreErrorOptions & { httpStatus?: number } = {},
  ) {
    super(`${action} failed: ${serviceErrorType}: ${serviceMessage}`, options);
    // The service's own error type is the code (not one of ERROR_CODES: the service names it).
    (this as { code: string }).code = options.code ?? serviceErrorType;
    this.serviceErrorType = serviceErrorType;
    this.httpStatus = options.httpStatus;
  }
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

const CREDENTIAL_ERRORS = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
]);

const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN", "EHOSTUNREACH"]);

/**
 * Turns an AWS SDK v3 error into an AwsServiceError that keeps the service's type and message.
 * `action` names what we were doing ("CreateAgentRuntime", "Create the ECR repository").
 */
export function fromAwsError(error: unknown, action: string, hint?: string): AgentcoreError {
  if (error instanceof AgentcoreError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const name = e.name ?? "Error";
  const message = e.message ?? String(error);
  const code = e.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (code && NETWORK_CODES.has(code)) {
    return new AgentcoreError(`${action} failed: could not reach the service (${code}).`, {
      code: "NetworkError",
      hint: hint ?? "Check the network, the region, and any AWS_ENDPOINT_URL_* override.",
      cause: error,
    });
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new AwsServiceError(action, name, message, {
      hint: hint ?? "Check your AWS credentials: `aws sts get-caller-identity`, --profile or AWS_PROFILE.",
      httpStatus: e.$metadata?.httpStatusCode,
      cause: error,
    });
  }
  return new AwsServiceError(action, name, message, {
    hint,
    httpStatus: e.$metadata?.httpStatusCode,
    cause: error,
  });
}

/** Any thrown value as an AgentcoreError (unknown errors keep their message; the stack shows with --verbose). */
export function toAgentcoreError(error: unknown): AgentcoreError {
  if (error instanceof AgentcoreError) return error;
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    if (code && NETWORK_CODES.has(code)) {
      return new AgentcoreError(`Network error: ${error.message}`, { code: "NetworkError", cause: error });
    }
    const fsError = fileSystemError(error as NodeJS.ErrnoException);
    if (fsError) return fsError;
    return new AgentcoreError(error.message || String(error), { code: "InternalError", cause: error });
  }
  return new AgentcoreError(String(error), { code: "InternalError" });
}

const FS_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOTDIR: "a part of the path is a file, not a directory",
  EEXIST: "it exists and is not a directory",
  ENOSPC: "no space left on the device",
  EISDIR: "it is a directory",
};

/** A file-system error (Node's errno error with a path) in one sentence naming the path and what to do, or undefined. */
export function fileSystemError(error: NodeJS.ErrnoException): AgentcoreError | undefined {
  const reason = error.code ? FS_REASONS[error.code] : undefined;
  if (!reason || typeof error.path !== "string") return undefined;
  const reading = error.syscall === "scandir" || error.syscall === "read" || error.syscall === "stat";
  const hint =
    error.code === "ENOSPC"
      ? "Free some space, then run the command again."
      : error.code === "ENOTDIR" || error.code === "EEXIST" || error.code === "EISDIR"
        ? "Move the file that is in the way, then run the command again."
        : reading
          ? "Check the permissions of that path."
          : "Check the permissions of its directory, or run the command from a directory you can write to.";
  return new AgentcoreError(`Cannot ${reading ? "read" : "write"} ${error.path}: ${reason}.`, {
    code: "FileSystemError",
    hint,
    cause: error,
  });
}
