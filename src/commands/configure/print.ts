/** The human text of `configure`'s result (--json prints the saved agent instead). */
import { isLoopbackHost } from "../../config/patterns.js";
import { protocolContract } from "../../config/protocols.js";
import type { Output } from "../../ui/output.js";
import type { ConfigureResult, FileReport, SetDefaultResult } from "./types.js";

function describeFile(file: FileReport): string {
  switch (file.action) {
    case "written":
      return `Wrote ${file.relative}`;
    case "overwritten":
      return `Overwrote ${file.relative} (--force)`;
    case "unchanged":
      return `${file.relative} is up to date`;
    case "kept":
      return `Kept the existing ${file.relative}${file.note ? `: ${file.note}` : " (pass --force to regenerate it)"}`;
  }
}

export function printConfigure(result: ConfigureResult, output: Output): void {
  const { agent, dockerfile, dockerignore } = result;
  // Said once it is true: a result exists only after the save (a failed check or write leaves the allowlist as it was).
  if (result.headerNote) output.info(result.headerNote);
  const jwt = agent.authorizerConfiguration?.customJWTAuthorizer;
  const kept = (file: FileReport) => file.action === "kept" || file.action === "unchanged";
  if (dockerfile) {
    (kept(dockerfile) ? output.info.bind(output) : output.success.bind(output))(
      `${describeFile(dockerfile)}${kept(dockerfile) ? "" : ` (${agent.language === "python" ? "Python" : "Node"}, linux/arm64, port ${protocolContract(agent.protocol).port})`}`,
    );
  }
  (kept(dockerignore) ? output.info.bind(output) : output.success.bind(output))(describeFile(dockerignore));
  const isDefault = result.defaultAgent === agent.name;
  output.success(
    `${result.updated ? "Updated" : "Added"} agent "${agent.name}" in ${result.configFile} ${isDefault ? "(the default agent)" : `(not the default agent: commands without --agent act on "${result.defaultAgent}")`}`,
  );
  const flag = isDefault ? "" : ` --agent ${agent.name}`;
  const rows: [string, string][] = [
    ["Entrypoint", `${agent.entrypoint} (${agent.language})`],
    ["Dependencies", agent.requirementsFile ?? "none"],
    ["Protocol", `${agent.protocol} (${protocolContract(agent.protocol).summary}, port ${protocolContract(agent.protocol).port})`],
    ["Region", agent.region ?? "not set (launch uses --region or AWS_REGION)"],
    ["Deploy", agent.deploy === "code" ? `code zip on ${agent.runtime} (no image)` : "container image (linux/arm64)"],
    ["Execution role", agent.executionRole === "auto" ? "created at launch" : agent.executionRole],
    ...(agent.deploy === "code"
      ? []
      : ([["ECR repository", agent.ecrRepository === "auto" ? "created at launch" : agent.ecrRepository]] as [string, string][])),
    ["Inbound auth", jwt ? `JWT (customJWTAuthorizer), from ${result.authSource}` : "IAM (SigV4)"],
  ];
  if (jwt) {
    rows.push(["  discovery URL", jwt.discoveryUrl]);
    if (jwt.allowedClients) rows.push(["  allowed clients", jwt.allowedClients.join(", ")]);
    if (jwt.allowedAudience) rows.push(["  allowed audience", jwt.allowedAudience.join(", ")]);
    if (jwt.allowedScopes) rows.push(["  allowed scopes", jwt.allowedScopes.join(", ")]);
    if (jwt.customClaims) rows.push(["  custom claims", `${jwt.customClaims.length}`]);
  }
  const env = Object.keys(agent.environmentVariables);
  if (env.length) rows.push(["Environment", env.join(", ")]);
  const net = agent.networkConfiguration;
  if (net?.networkMode === "VPC")
    rows.push([
      "Network",
      `VPC (subnets ${net.networkModeConfig.subnets.join(", ")}; security groups ${net.networkModeConfig.securityGroups.join(", ")})`,
    ]);
  const life = agent.lifecycleConfiguration;
  if (life) {
    const parts = [
      life.idleRuntimeSessionTimeout && `idle ${life.idleRuntimeSessionTimeout} s`,
      life.maxLifetime && `max ${life.maxLifetime} s`,
    ];
    rows.push(["Sessions", parts.filter(Boolean).join(", ")]);
  }
  rows.push(["Header allowlist", agent.requestHeaderAllowlist.length ? agent.requestHeaderAllowlist.join(", ") : "none"]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) output.info(`  ${label.padEnd(width)}  ${value}`);
  output.info("");
  output.info("Next:");
  output.info(`  agentcore-ts launch --local${flag}   run it here${jwt ? " behind a gateway that enforces its JWT authorizer" : ""}`);
  if (jwt && isLoopbackHost(new URL(jwt.discoveryUrl).hostname)) {
    // AgentCore Runtime fetches the discovery document from AWS: an issuer on this machine only works locally.
    output.info("  (the issuer runs on this machine, so AgentCore Runtime in AWS cannot reach it: for `agentcore-ts launch`,");
    output.info("   configure an issuer AWS can reach, e.g. run `agentcore-ts cognito setup` without --local, then configure again)");
  } else {
    output.info(
      agent.deploy === "code"
        ? `  agentcore-ts launch${flag}           package the code, upload it to S3 and deploy it to AgentCore Runtime`
        : `  agentcore-ts launch${flag}           build (linux/arm64), push and deploy it to AgentCore Runtime`,
    );
  }
}

export function printSetDefault(result: SetDefaultResult, output: Output): void {
  output.success(
    result.changed
      ? `The default agent is now ${result.defaultAgent}${result.previous ? ` (was ${result.previous})` : ""}: commands without --agent act on it`
      : `${result.defaultAgent} is already the default agent`,
  );
}
