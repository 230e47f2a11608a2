/**
 * A protocol example behind the real local runtime (`launch --local`'s gateway and supervisor), twice: one agent
 * with a customJWTAuthorizer on a loopback OIDC issuer, one IAM (SigV4) agent. Agents are named after the
 * protocol ("a2a" and "a2a_iam"); the JWT one is the project's default agent.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { readyDocument } from "../../src/commands/launch/local.js";
import { printLocalReady } from "../../src/commands/launch/print.js";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { MemoryOutput } from "../../src/ui/output.js";
import { type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { REPO_ROOT, tempDir, testEnv } from "./cli.js";

export interface ProtocolRuntimes {
  issuer: FakeIssuer;
  jwt: LocalRuntime;
  iam: LocalRuntime;
  project: string;
  /** A token the JWT agent accepts. */
  token(): Promise<string>;
  /** The CLI's environment: the private home holding the runtime records. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startProtocolRuntimes(protocol: "A2A" | "AGUI", example: string): Promise<ProtocolRuntimes> {
  const name = protocol.toLowerCase();
  const client = `${name}client`.padEnd(26, "0");
  const issuer = await startFakeIssuer();
  const project = tempDir(`agentcore-ts-${name}-`);
  const home = tempDir("agentcore-ts-home-");
  const agent = (agentName: string, extra: Record<string, unknown> = {}) => ({
    name: agentName,
    entrypoint: path.join(REPO_ROOT, "examples", example, "src", "agent.ts"),
    language: "node",
    protocol,
    environmentVariables: { AGENT_TEST_HOOKS: "1", AGENT_STREAM_DELAY_MS: "2" },
    ...extra,
  });
  const jwtAuthorizer = { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [client] } };
  await fsp.writeFile(
    path.join(project, ".agentcore.json"),
    JSON.stringify({
      version: 1,
      defaultAgent: name,
      agents: { [name]: agent(name, { authorizerConfiguration: jwtAuthorizer }), [`${name}_iam`]: agent(`${name}_iam`) },
    }),
  );
  const runtimeEnv = { ...process.env, AGENTCORE_TS_HOME: home };
  const start = (agentName: string) =>
    startLocalRuntime({ cwd: project, agentName, env: runtimeEnv, port: 0, agentPort: 0, mode: "process" });
  const [jwt, iam] = await Promise.all([start(name), start(`${name}_iam`)]);
  return {
    issuer,
    jwt,
    iam,
    project,
    token: () => issuer.mint({ client_id: client }),
    env: (extra = {}) => testEnv({ AGENTCORE_TS_HOME: home, ...extra }),
    async stop() {
      await Promise.all([jwt.stop(), iam.stop()]);
      await issuer.close();
    },
  };
}

/**
 * Sends the curl example `launch --local` prints for this runtime (its ready lines, rendered by the real printer),
 * so the printed request is known to work: its URL, headers and body, with $TOKEN replaced by `token`.
 */
export async function sendPrintedCurl(runtime: LocalRuntime, token: string): Promise<Response> {
  const output = new MemoryOutput();
  printLocalReady({ document: readyDocument(runtime), agentFlag: false }, output);
  const line = output.lines.find((l) => l.includes("curl "));
  const parsed = line?.match(/curl -N -X POST '([^']+)' (.*?)-d '(.*)'$/);
  if (!parsed) throw new Error(`no curl example in:\n${output.lines.join("\n")}`);
  const [, url, headerArgs, body] = parsed as unknown as [string, string, string, string];
  const headers = new Headers();
  for (const [, a, b] of headerArgs.matchAll(/-H (?:'([^']*)'|"([^"]*)")/g)) {
    const header = (a ?? b ?? "").replace("$TOKEN", token);
    headers.set(header.slice(0, header.indexOf(":")), header.slice(header.indexOf(":") + 1).trim());
  }
  return fetch(url, { method: "POST", headers, body });
}
