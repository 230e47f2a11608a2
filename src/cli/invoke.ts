import type { Command } from "commander";
import type { InvokeInputs } from "../commands/invoke/types.js";
import { run } from "./run.js";

/** commander's flags: the operation's inputs, with --agent for agentName (type-only import: nothing loads). */
export type InvokeFlags = Omit<InvokeInputs, "payload" | "agentName"> & { agent?: string };

export function register(program: Command): void {
  program
    .command("invoke")
    .description("Send a payload to a deployed agent (or the local runtime of `launch --local`) and stream its answer")
    .argument("[payload]", 'JSON payload; text that is not JSON is sent as {"prompt": text}; read from stdin when absent (or "-")')
    .option("--agent <name>", "agent to invoke (default: the default agent)")
    .option("--agent-arn <arn>", "invoke this runtime ARN directly, without configure or launch (region from the ARN unless --region)")
    .option("--bearer", "send an OAuth bearer token (implied for agents with a customJWTAuthorizer)")
    .option("--bearer-token <token>", "the access token to send (else COGNITO_ACCESS_TOKEN, else the cached token)")
    .option("--session-id <id>", "runtime session id, 33-256 characters (default: continue the last session of this agent)")
    .option("--new-session", "start a new runtime session (a fresh UUID) instead of continuing the last one")
    .option("--qualifier <name>", "endpoint to invoke", "DEFAULT")
    .option("--user-id <id>", "X-Amzn-Bedrock-AgentCore-Runtime-User-Id, SigV4 only (with OAuth the user is the token's sub)")
    .option("--raw", "print the response body exactly as received")
    .option("--local", "invoke the agent run by `agentcore-ts launch --local`, through its inbound-auth gateway")
    .option("--mcp <operation>", "MCP agents: list-tools, or call-tool (the [payload] argument is then the tool's name)")
    .option("--input <json>", "with --mcp call-tool: the tool's arguments as a JSON object (default {})")
    .option("--protocol <protocol>", "with --agent-arn: the runtime's server protocol, HTTP (default), A2A or AGUI")
    .option(
      "-H, --header <header>",
      "extra request header 'Name: Value', repeatable (it reaches the agent only when on its request header allowlist)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .addHelpText(
      "after",
      `
Authentication: an agent with a customJWTAuthorizer is always called with a bearer token
(--bearer-token, else COGNITO_ACCESS_TOKEN, else the cached token, refreshed when it expires
within 2 minutes); with none available invoke fails before sending anything. Agents without one
are signed with SigV4 (your AWS credentials).

Output: streamed text is printed as it arrives, JSON answers pretty-printed; --raw prints the body
as is; --json prints one document with the session id, status, content type and the response.

Protocols (from .agentcore.json, or --protocol with --agent-arn): HTTP posts the payload as is.
A2A fetches the agent card, sends the prompt as a user message (message/stream, or SendStreamingMessage
for A2A 1.0-only agents) and prints the artifact text as it streams. AGUI sends a RunAgentInput and
prints the TEXT_MESSAGE_CONTENT deltas, each tool call as a line; RUN_ERROR fails with its code.
Session ids are remembered per agent (--verbose prints them); --new-session starts over.

MCP agents (configure --protocol MCP): --mcp list-tools / --mcp call-tool NAME --input JSON runs an
MCP session (initialize, notifications/initialized, the request; Mcp-Session-Id threaded; cold-start
errors retried 3 times, 2 s apart) with the same auth; tool results print as text, --json the raw result.

Examples:
  $ agentcore-ts invoke '{"prompt":"Hello"}'
  $ agentcore-ts invoke "What is 1+1?"                      # sent as {"prompt":"What is 1+1?"}
  $ echo '{"prompt":"Hello"}' | agentcore-ts invoke --new-session
  $ agentcore-ts invoke '{"prompt":"Hello"}' --local
  $ agentcore-ts invoke "Hi" -H 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant: acme'
  $ agentcore-ts invoke --local --mcp list-tools
  $ agentcore-ts invoke --mcp call-tool calculator --input '{"operation":"add","a":2,"b":3}'
  $ agentcore-ts invoke "What is 6 * 7?" --agent-arn arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_a2a-AbCdEf1234 --protocol A2A
  $ COGNITO_ACCESS_TOKEN=eyJ... agentcore-ts invoke "Hi" --agent-arn arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-AbCdEf1234`,
    )
    .action(async (payload: string | undefined, flags: InvokeFlags, command: Command) => {
      await run(command, async (ctx) => {
        const { agent, ...rest } = flags;
        if (flags.mcp !== undefined) {
          const [{ invokeMcp, toolFailed }, { printMcpInvoke }, { outcome }] = await Promise.all([
            import("../commands/invoke/mcp.js"),
            import("../commands/invoke/print.js"),
            import("../core/context.js"),
          ]);
          const result = await invokeMcp({ ...rest, payload, agentName: agent }, ctx);
          return outcome(result, printMcpInvoke, toolFailed(result) ? 1 : undefined);
        }
        const [{ invoke }, { printInvoke }, { outcome }] = await Promise.all([
          import("../commands/invoke/invoke.js"),
          import("../commands/invoke/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await invoke({ ...rest, payload, agentName: agent }, ctx), printInvoke);
      });
    });
}
