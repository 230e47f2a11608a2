/** The human text of `status` and `status --local`, rendered from their results through the Output sink. */
import { DEFAULT_ENDPOINT } from "../../aws/runtime.js";
import { compactDuration, relativeTime } from "../../ui/format.js";
import type { Output } from "../../ui/output.js";
import type { StatusLocalResult, StatusResult } from "./types.js";

export function printStatus(result: StatusResult, output: Output): void {
  const line = (label: string, value: string) => output.info(`  ${(label ? `${label}:` : "").padEnd(18)}${value}`);
  if (result.state === "not-launched") {
    output.info(`Agent ${result.agent} is configured but has never been launched (region ${result.region}).`);
  }
  // A deleted runtime was reported as a warning while status ran (it goes to stderr under --json too).
  const rt = result.runtime;
  if (result.state === "deployed" && rt) {
    const ep = result.endpoint;
    const live = ep?.status === "READY" && ep.liveVersion === rt.version;
    output.info(`Agent ${result.agent} (${result.region}): ${live ? "ready" : "not ready"}`);
    line("Runtime", `${rt.id}  ${rt.status}  version ${rt.version}${rt.failureReason ? `  (${rt.failureReason})` : ""}`);
    line("Runtime ARN", rt.arn);
    line(
      "Endpoint",
      ep
        ? `${ep.name}  ${ep.status}  live version ${ep.liveVersion ?? "none"}${ep.targetVersion && ep.targetVersion !== ep.liveVersion ? `, target ${ep.targetVersion}` : ""}${ep.failureReason ? `  (${ep.failureReason})` : ""}`
        : `${DEFAULT_ENDPOINT}  not created yet`,
    );
    if (result.imageUri) line("Image", result.imageUri);
    if (result.code) {
      line("Code", `${result.code.s3Uri}${result.code.versionId ? ` (version ${result.code.versionId})` : ""}`);
      line("  Runtime", `${result.code.runtime}, entry point ${result.code.entryPoint.join(" ")}`);
    }
  }

  const protocol = result.protocol;
  line("Protocol", `${protocol.serverProtocol}${protocol.source === "config" ? ", as configured" : ""}`);
  const auth = result.authorization;
  line(
    "Authorization",
    auth.mode === "IAM" ? "IAM (SigV4)" : `customJWTAuthorizer (OAuth/JWT bearer)${auth.source === "config" ? ", as configured" : ""}`,
  );
  if (auth.mode === "customJWTAuthorizer") {
    line("  Discovery URL", auth.discoveryUrl ?? "");
    if (auth.allowedClients) line("  Clients", auth.allowedClients.join(", "));
    if (auth.allowedAudience) line("  Audience", auth.allowedAudience.join(", "));
    if (auth.allowedScopes) line("  Scopes", auth.allowedScopes.join(", "));
  }
  const token = result.token;
  if (token === null) line("Cached token", "none for this authorizer (`agentcore-ts token refresh` or `agentcore-ts cognito setup`)");
  else if (token) {
    line(
      "Cached token",
      `user ${token.username}, ${token.expired ? "expired" : "expires"} ${token.expiresAt} (${relativeTime(token.expiresAt)})${token.expired ? "; `agentcore-ts token refresh` renews it" : ""}`,
    );
  }
  if (result.logs) {
    line("Logs", result.logs.logGroup);
    line("", result.logs.command);
  }
  if (result.next) line("Next", result.next);
}

function formatUptime(startedAt: string): string {
  return compactDuration(Math.max(0, Math.round((Date.now() - Date.parse(startedAt)) / 1000)));
}

export function printStatusLocal(result: StatusLocalResult, output: Output): void {
  for (const runtime of result.runtimes) {
    output.info(`Local runtime: ${runtime.agentName} (${runtime.health})`);
    output.info(
      `  gateway:  ${runtime.gatewayUrl}  ${runtime.auth === "iam" ? "IAM (SigV4, not verified locally)" : "customJWTAuthorizer enforced"}`,
    );
    output.info(
      `  invoke:   POST ${runtime.gatewayUrl}/runtimes/${runtime.agentName}/invocations?qualifier=DEFAULT  (${runtime.protocol ?? "HTTP"})`,
    );
    output.info(`  agent:    ${runtime.agentUrl}  (${runtime.mode}${runtime.agentPid ? `, pid ${runtime.agentPid}` : ""})`);
    output.info(
      `  log:      ${runtime.logFile}${runtime.logs ? `  (with requests: agentcore-ts logs --local --agent ${runtime.agentName} --follow)` : ""}`,
    );
    output.info(`  started:  ${runtime.startedAt} (up ${formatUptime(runtime.startedAt)}), launch pid ${runtime.pid}`);
  }
}
