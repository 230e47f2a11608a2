/** The result of `agents`: every agent of .agentcore.json with how it runs and where. */

export interface AgentRow {
  name: string;
  /** Commands without --agent act on it (docs/configuration.md, "The default agent"). */
  default: boolean;
  protocol: string;
  auth: "customJWTAuthorizer" | "IAM";
  /** How `launch` deploys it: a container image, or a code zip. */
  deploy: "container" | "code";
  /** The local runtime of `launch --local`, from its record: running with its gateway, or stopped. */
  local: { state: "running"; gatewayUrl: string; pid: number } | { state: "stopped" };
  /** As .agentcore.json records the last launch (no AWS call: `status` asks the service). */
  cloud: { state: "launched"; runtimeId: string; runtimeVersion?: string; region?: string } | { state: "not-launched" };
}

export interface AgentsResult {
  configFile: string;
  /** null when there are several agents and none is the default. */
  defaultAgent: string | null;
  agents: AgentRow[];
}
