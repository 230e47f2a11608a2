/** The human text of `launch` and `launch --local`, rendered from their results through the Output sink. */
import { DEFAULT_ENDPOINT } from "../../aws/runtime.js";
import { megabytes } from "../../build/code-zip.js";
import type { GatewayLogEvent } from "../../local/gateway.js";
import type { Output } from "../../ui/output.js";
import { accessLogText } from "../shared/access-log.js";
import { logsCommand } from "../shared/cloud-agent.js";
import type { LaunchResult, LocalLaunchReady, LocalLaunchReporter, ReloadEvent } from "./types.js";

export function printLaunch(result: LaunchResult, output: Output): void {
  if (result.action === "unchanged") {
    output.success(
      `Nothing to do: ${result.agent} version ${result.runtimeVersion} is live with this ${result.artifact === "code" ? "code" : "image"} and configuration`,
    );
  } else {
    output.success(`${result.agent} version ${result.runtimeVersion} is live on the ${DEFAULT_ENDPOINT} endpoint`);
  }
  output.info(`  Runtime ARN: ${result.runtimeArn}`);
  if (result.imageUri) output.info(`  Image:       ${result.imageUri}`);
  if (result.code) {
    output.info(
      `  Code:        s3://${result.code.bucket}/${result.code.key} (${result.code.uploaded ? "uploaded" : "already there"}, ${megabytes(result.code.bytes)})`,
    );
    output.info(`  Runtime:     ${result.code.runtime} ${JSON.stringify(result.code.entryPoint)}`);
  }
  output.info(`  Logs:        ${result.logGroup}`);
  output.info(`               ${logsCommand(result.agent)}`);
  output.info(`  Next:        ${result.next}`);
}

/** Where the local agent and its gateway listen, and how to call them. */
export function printLocalReady({ document: ready, agentFlag }: LocalLaunchReady, output: Output): void {
  output.success(`Agent ${ready.agent} running as a ${ready.mode} on ${ready.agentUrl} (log: ${ready.logFile})`);
  output.success(
    `Gateway on ${ready.gatewayUrl} ${ready.auth === "jwt" ? "enforcing the customJWTAuthorizer" : "with IAM (SigV4) auth: signatures are NOT verified locally"}`,
  );
  output.info("");
  for (const line of invokeLines(ready, agentFlag)) output.info(line);
  for (const line of curlLines(ready, agentFlag)) output.info(line);
  if (ready.watching)
    output.info(`  Watching ${ready.watching === "." ? "the project" : `${ready.watching}/`} for changes: the agent reloads on save.`);
  output.info("  Press Ctrl-C to stop.");
  output.info("");
}

/**
 * The same call with curl, complete: a JWT agent gets the cached token in $TOKEN first (token show --raw);
 * an IAM agent needs a SigV4-signed request (curl's --aws-sigv4; the local gateway checks that the
 * request is signed, not the signature), else the gateway answers 403 like the service.
 */
export function curlLines(ready: LocalLaunchReady["document"], agentFlag: boolean): string[] {
  const body = curlBody(ready.protocol);
  // MCP needs an initialize handshake before anything else: invokeLines gives the URL for an MCP client instead.
  if (!body) return [];
  const url = `'${invokeUrl(ready)}'`;
  if (ready.auth === "jwt") {
    return [
      `  or:      TOKEN=$(agentcore-ts token show --raw${agentFlag ? ` --agent ${ready.agent}` : ""})`,
      `           curl -N -X POST ${url} -H "Authorization: Bearer $TOKEN" ${body}`,
    ];
  }
  const region = ready.agentRuntimeArn.split(":")[3] ?? "us-east-1";
  return [
    `  or:      curl -N -X POST ${url} --aws-sigv4 'aws:amz:${region}:bedrock-agentcore' --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" ${body}`,
  ];
}

const invokeUrl = (ready: LocalLaunchReady["document"]) => `${ready.gatewayUrl}/runtimes/${ready.agent}/invocations?qualifier=DEFAULT`;

/** The `invoke` example for the agent's protocol; an MCP agent also gets the URL to point an MCP client at. */
function invokeLines(ready: LocalLaunchReady["document"], agentFlag: boolean): string[] {
  const agent = agentFlag ? ` --agent ${ready.agent}` : "";
  switch (ready.protocol) {
    case "MCP":
      return [
        `  Invoke:  agentcore-ts invoke --local --mcp list-tools${agent}`,
        `           agentcore-ts invoke --local --mcp call-tool NAME --input '{}'${agent}`,
        `  MCP URL: ${invokeUrl(ready)} (Streamable HTTP${ready.auth === "jwt" ? ", with an Authorization: Bearer header" : ""})`,
      ];
    case "A2A":
    case "AGUI":
      return [`  Invoke:  agentcore-ts invoke --local 'Hello'${agent}`];
    default:
      return [`  Invoke:  agentcore-ts invoke --local '{"prompt": "Hello"}'${agent}`];
  }
}

/**
 * curl's headers and body for the protocol's contract (runtime-*-protocol-contract in the AgentCore developer guide):
 * HTTP `{"prompt"}`, A2A a JSON-RPC `message/send` (the v0.3 name AWS's A2A docs use), AGUI a RunAgentInput read as
 * server-sent events; none for MCP.
 */
function curlBody(protocol: LocalLaunchReady["document"]["protocol"]): string | undefined {
  const json = "-H 'Content-Type: application/json'";
  switch (protocol) {
    case "MCP":
      return undefined;
    case "A2A": {
      const message = { kind: "message", messageId: "m1", role: "user", parts: [{ kind: "text", text: "Hello" }] };
      return `${json} -d '${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "message/send", params: { message } })}'`;
    }
    case "AGUI": {
      const input = {
        threadId: "t1",
        runId: "r1",
        messages: [{ id: "m1", role: "user", content: "Hello" }],
        tools: [],
        context: [],
        state: {},
        forwardedProps: {},
      };
      return `${json} -H 'Accept: text/event-stream' -d '${JSON.stringify(input)}'`;
    }
    default:
      return `${json} -d '{"prompt": "Hello"}'`;
  }
}

/** One access-log line per gateway request. */
export function printAccessLog(event: GatewayLogEvent, output: Output): void {
  output.info(accessLogText(event));
}

/** What changed, shortly: up to three paths, then a count. */
function changedList(changed: string[]): string {
  return changed.length <= 3 ? changed.join(", ") : `${changed.slice(0, 3).join(", ")} and ${changed.length - 3} more`;
}

/** One line per reload; a failed one adds the log's tail and says the watch goes on. */
export function printReload(event: ReloadEvent, output: Output): void {
  const time = event.at.slice(11, 19);
  if (event.ok) {
    output.success(`${time} reloaded (${changedList(event.changed)} changed): the agent answered its health check in ${event.ms} ms`);
    return;
  }
  output.warn(`${time} reload failed (${changedList(event.changed)} changed): ${event.reason ?? "the agent did not start"}`);
  if (event.logTail)
    output.warn(
      `The agent's log ends with:\n${event.logTail
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}`,
    );
  output.warn(
    event.kept
      ? "Still watching: the agent from before keeps serving; the next change reloads it."
      : "Still watching: the next change reloads it; invocations get 424 until then.",
  );
}

/**
 * The foreground command's reports, each printed when it happens. `launch --local` runs until it is
 * stopped, so its --json document cannot wait for the end: it goes out as soon as the runtime is ready
 * (Output.result writes it only under --json; the human lines are suppressed there).
 */
export function localLaunchReporter(output: Output): LocalLaunchReporter {
  return {
    ready(ready) {
      printLocalReady(ready, output);
      output.result(ready.document);
    },
    request: (event) => printAccessLog(event, output),
    reloaded(event) {
      // Under --json each reload is its own document after the ready one (a stream of documents).
      if (output.json) output.result({ reload: event });
      else printReload(event, output);
    },
    stopping: () => output.info("Stopping the gateway and the agent…"),
    stopped: () => output.success("Stopped."),
  };
}
