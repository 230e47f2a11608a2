/**
 * Test helpers for launch/status/destroy: a project directory with an agent, a Dockerfile and a
 * .dockerignore, and a CLI environment pointed at the AWS fakes with fast polling.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { tempDir, testEnv } from "../support/cli.js";
import type { AwsFakes } from "./aws-fakes.js";

export const DISCOVERY_URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/openid-configuration";

export interface ProjectOptions {
  agentName?: string;
  /** Extra agent fields (e.g. executionRole, authorizerConfiguration: null). */
  agent?: Record<string, unknown>;
}

export async function makeProject(options: ProjectOptions = {}): Promise<{ dir: string; configFile: string; agentName: string }> {
  const dir = tempDir("agentcore-ts-launch-");
  const agentName = options.agentName ?? "my_agent";
  await fsp.writeFile(path.join(dir, "agent.py"), "print('hello from the agent')\n");
  await fsp.writeFile(path.join(dir, "requirements.txt"), "bedrock-agentcore\n");
  await fsp.writeFile(path.join(dir, "Dockerfile"), 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "agent.py"]\n');
  await fsp.writeFile(path.join(dir, ".dockerignore"), ".agentcore*\n.env\nnode_modules/\n*.log\n");
  await fsp.writeFile(path.join(dir, ".env"), "SECRET=do-not-ship\n");
  await fsp.mkdir(path.join(dir, "node_modules", "big"), { recursive: true });
  await fsp.writeFile(path.join(dir, "node_modules", "big", "index.js"), "module.exports = 1;\n");
  const configFile = path.join(dir, ".agentcore.json");
  await fsp.writeFile(
    configFile,
    JSON.stringify(
      {
        version: 1,
        defaultAgent: agentName,
        agents: {
          [agentName]: {
            name: agentName,
            entrypoint: "agent.py",
            language: "python",
            authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: DISCOVERY_URL, allowedClients: ["client1example"] } },
            requestHeaderAllowlist: ["Authorization", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant"],
            environmentVariables: { LOG_LEVEL: "info" },
            ...options.agent,
          },
        },
      },
      null,
      2,
    ),
  );
  return { dir, configFile, agentName };
}

export async function readConfig(
  configFile: string,
): Promise<{ agents: Record<string, { deployment: Record<string, unknown> | null } & Record<string, unknown>> }> {
  return JSON.parse(await fsp.readFile(configFile, "utf8"));
}

/** Environment for the built CLI: every AWS service on its fake, polling in milliseconds, no docker engine. */
export function awsEnv(aws: AwsFakes, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return testEnv({
    ...aws.env,
    AWS_REGION: aws.region,
    AGENTCORE_TS_POLL_MS: "2",
    // Never reach a real engine from the e2e tests: the docker path has its own stand-in test.
    AGENTCORE_TS_CONTAINER_ENGINE: "none",
    ...extra,
  });
}
