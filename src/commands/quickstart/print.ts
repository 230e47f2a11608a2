/**
 * The quickstart's human text: its step renderer (each step's header, then what the step reports,
 * its notes and the equivalent command, printed as the step finishes: the progress of a long run)
 * and the final summary, printed from the result. --json prints none of it (the Output sink drops
 * human lines; the CLI prints the result instead).
 */
import type { ChalkInstance } from "chalk";
import { CONFIG_FILE_NAME } from "../../config/file.js";
import { describeExpiry, formatDuration } from "../../ui/format.js";
import type { Output } from "../../ui/output.js";
import { noColors } from "../../ui/style.js";
import type { InvokeFacts, ProjectStatus, QuickstartResult, StepName, StepReports, StopFacts } from "./types.js";

/** The lines under a step header: `done` with a tick, `say` without. */
class StepLines {
  readonly c: ChalkInstance;
  constructor(private readonly output: Output) {
    this.c = output.out ?? noColors;
  }
  done(message: string): void {
    this.output.info(`  ${this.c.green("✔")} ${message}`);
  }
  say(message: string): void {
    this.output.info(`  ${message}`);
  }
}

const colors = (output: Output): ChalkInstance => output.out ?? noColors;

export function printIntro(projectDir: string, status: ProjectStatus, output: Output): void {
  const c = colors(output);
  output.info(c.bold(`agentcore-ts quickstart: the Inbound Auth workflow on this machine (no AWS account, nothing sent to AWS)`));
  const how = status === "created" ? "new" : status === "reused" ? "from an earlier quickstart, reused" : "existing directory, --force";
  output.info(`Project: ${projectDir} (${how})`);
}

export function printStepHeader(label: string, title: string, output: Output): void {
  output.info("");
  output.info(colors(output).bold(`${label}: ${title}`));
}

function printInvoke(facts: InvokeFacts, s: StepLines): void {
  s.done(
    facts.events > 0
      ? `HTTP ${facts.status}, streamed in ${facts.events} server-sent events; bearer token from the token cache; session ${facts.sessionId}`
      : `MCP session over the gateway (initialize, notifications/initialized, the request), bearer token from the token cache; runtime session ${facts.sessionId}`,
  );
  if (facts.caller)
    s.say(`The gateway validated the JWT and forwarded it (Authorization is allowlisted): the agent saw user "${facts.caller}".`);
}

/** What each step shows of its report. */
const REPORT_PRINTERS: { [N in StepName]: (report: StepReports[N], s: StepLines) => void } = {
  "embedded-cognito": ({ facts, dataDir }, s) => {
    const how = facts.startedHere ? "started" : "already running, reused";
    s.done(`Embedded Cognito on ${facts.endpoint} (${how}); its pools live in ${dataDir}`);
    s.say("It issues real RS256-signed JWTs and serves the OIDC discovery document, like Cognito in AWS.");
  },
  "cognito-setup": ({ facts, poolName, clientName, tokenCache }, s) => {
    s.done(`User pool "${poolName}": ${facts.userPoolId} (${facts.userPool})`);
    s.done(`App client "${clientName}": ${facts.clientId} (${facts.appClient}; public, USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH)`);
    s.done(`Test user "${facts.username}" (${facts.user}) with a new random password, kept in memory for this run only`);
    s.done(
      `Logged in: access token ${describeExpiry(new Date(facts.accessTokenExpiresAt))}, saved with its refresh token in ${tokenCache} (mode 0600)`,
    );
    s.done(`Discovery URL and client id saved to ${CONFIG_FILE_NAME} and .env (never a token or password)`);
    s.say(`Discovery URL: ${facts.discoveryUrl}`);
  },
  configure: ({ facts, projectDir, copied, links }, s) => {
    const agentFiles = copied.created.filter((file) => file !== ".gitignore");
    s.done(
      agentFiles.length
        ? `Copied the TypeScript example ${facts.entrypoint === "src/server.ts" ? "MCP server (calculator, weather and whoami tools on @modelcontextprotocol/sdk)" : "agent (calculator + weather tools on the bedrock-agentcore SDK)"} into ${projectDir}: ${agentFiles.length} file(s)`
        : `The TypeScript example is in place (${copied.unchanged.length} file(s) up to date)`,
    );
    if (copied.restored.length) s.done(`Restored the example's ${copied.restored.join(", ")} (--force)`);
    if (copied.kept.length)
      s.say(`${s.c.yellow("note:")} kept your edited ${copied.kept.join(", ")} (pass --force to restore the example's version)`);
    const installed = links.installed.length ? ` (installed here: ${links.installed.join(", ")})` : "";
    s.done(`node_modules/ links to agentcore-ts's own ${links.linked.join(", ")}${installed}: no npm install needed`);
    s.done(`Agent "${facts.agent}" in ${CONFIG_FILE_NAME}: entrypoint ${facts.entrypoint}, inbound auth customJWTAuthorizer`);
    s.say(`  discoveryUrl ${facts.discoveryUrl}`);
    s.say(`  allowedClients ${facts.allowedClients.join(", ")} (Cognito access tokens carry client_id, not aud)`);
    s.say(`  requestHeaderAllowlist ${facts.requestHeaderAllowlist.join(", ")} (the agent sees who called)`);
    s.done(`Dockerfile and .dockerignore written for a later \`agentcore-ts launch\` to AWS (linux/arm64)`);
  },
  "launch-local": ({ facts, agentName }, s) => {
    s.done(
      `Agent "${agentName}" running as a process on ${facts.agentUrl}, offline (AGENT_OFFLINE=1: deterministic answers, no AWS calls); log: ${facts.logFile}`,
    );
    s.done(
      `Gateway on ${facts.gatewayUrl}: checks every request's bearer token like AgentCore Runtime (signature, issuer, expiry, client_id)`,
    );
    s.say(`ARN: ${facts.agentRuntimeArn}`);
  },
  "invoke-without-token": ({ facts }, s) => {
    s.done(`HTTP 401 ${facts.errorType}: "${facts.message}"`);
    if (facts.wwwAuthenticate) s.say(`  WWW-Authenticate: ${facts.wwwAuthenticate}`);
    s.say("Refused by the gateway before the agent saw anything, as AgentCore Runtime does. (`agentcore-ts invoke` never");
    s.say("sends a request without a token to a JWT agent: it stops and says how to get one.)");
  },
  "invoke-bearer": ({ facts }, s) => printInvoke(facts, s),
  "token-refresh": ({ facts, expiresInSeconds }, s) => {
    const via =
      facts.method === "refresh_token"
        ? "the refresh token (REFRESH_TOKEN_AUTH, no password needed)"
        : "a password login (the refresh token was refused)";
    s.done(`New access token for "${facts.username}" via ${via}, ${describeExpiry(new Date(facts.expiresAt))}`);
    s.say(
      `Cognito access tokens live ${formatDuration(expiresInSeconds * 1000)} here; commands refresh a cached token by themselves when it is about to expire.`,
    );
  },
  "invoke-bearer-again": ({ facts }, s) => printInvoke(facts, s),
  stop: ({ facts }, s) => {
    s.done("Gateway and agent stopped; runtime record removed");
    s.done(`Embedded Cognito ${facts.embeddedCognito ?? "stopped"} (its pools and users stay for the next run)`);
  },
};

/** A step that gave its expected result: what it reports, the operations' warnings as notes, and the equivalent command. */
export function printStepDone<N extends StepName>(
  name: N,
  report: StepReports[N],
  warnings: string[],
  command: string,
  output: Output,
): void {
  const s = new StepLines(output);
  REPORT_PRINTERS[name](report, s);
  for (const warning of warnings) s.say(`${s.c.yellow("note:")} ${warning}`);
  s.say(s.c.dim(/^(agentcore-ts|curl) /.test(command) ? `$ ${command}` : `(${command})`));
}

/** A step that failed (the error itself is printed by the CLI) or was interrupted. */
export function printStepFailed(message: string, warnings: string[], interrupted: boolean, output: Output): void {
  for (const warning of warnings) output.warn(warning);
  if (!interrupted) output.info(`  ${colors(output).red("✖")} ${message}`);
}

export function printStopping(output: Output): void {
  output.info("");
  output.info("Stopping what the quickstart started…");
}

export function printStopped(facts: StopFacts, output: Output): void {
  const parts: string[] = [];
  if (facts.gatewayStopped !== undefined) parts.push(`gateway ${facts.gatewayStopped ? "stopped" : "STILL LISTENING"}`);
  if (facts.agentStopped !== undefined) parts.push(`agent ${facts.agentStopped ? "stopped" : "STILL RUNNING"}`);
  if (facts.embeddedCognito) parts.push(`embedded Cognito ${facts.embeddedCognito}`);
  output.info(`  ${parts.length ? `${parts.join(", ")}.` : "Nothing was running yet."}`);
}

/** The summary after the last step: how long it took, where the project is, and how to go on here or in AWS. */
export function printQuickstart(result: QuickstartResult, output: Output): void {
  const c = colors(output);
  const [cd, launch, invoke, verify] = result.next.local.length === 4 ? result.next.local : [undefined, ...result.next.local];
  const [setup, configure, deploy, invokeAws] = result.next.aws;
  const lines = (rows: [string | undefined, string][]) => {
    const present = rows.filter((row): row is [string, string] => row[0] !== undefined);
    const width = Math.max(...present.map(([command]) => (command.length <= 72 ? command.length : 0)));
    for (const [command, why] of present) {
      output.info(`  ${c.dim("$")} ${why ? `${command.padEnd(width)}  ${c.dim(`# ${why}`)}` : command}`);
    }
  };
  output.info("");
  output.info(
    `${c.green("✔")} ${c.bold(`Quickstart done: all ${result.steps.length} steps gave the expected result in ${(result.totalMs / 1000).toFixed(1)}s.`)}`,
  );
  output.info(`  The project stays in ${result.project.dir}: the agent's code, ${CONFIG_FILE_NAME} and .env.`);
  output.info("");
  output.info(c.bold("Go on from here, on this machine:"));
  lines([
    [cd, ""],
    [launch, "in one terminal; Ctrl-C stops it"],
    [invoke, "in another: the calculator tool"],
    [verify, "which of the authorizer's checks the cached token passes"],
  ]);
  output.info(
    c.dim("  (the agent answers offline unless AWS credentials are found; AGENT_OFFLINE=1 agentcore-ts launch --local keeps it offline)"),
  );
  output.info("");
  output.info(c.bold("Move to AWS (an AWS account, credentials and Bedrock model access needed):"));
  lines([
    [setup, "a user pool in AWS instead of the embedded one"],
    [configure, "the agent follows the project's new pool"],
    [deploy, "build linux/arm64, push to ECR, create the runtime"],
    [invokeAws, ""],
  ]);
}
