import type { Command } from "commander";
import type { ConfigureInputs } from "../commands/configure/configure.js";
import { run } from "./run.js";

/** commander's flags are the operation's inputs (type-only import: nothing loads at startup). */
type ConfigureFlags = ConfigureInputs & { setDefault?: string };

/** commander's accumulator for a repeatable option. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function register(program: Command): void {
  program
    .command("configure")
    .description(
      "Add or update an agent in .agentcore.json (inbound auth: a customJWTAuthorizer for Cognito or any OIDC issuer, or IAM) and write its linux/arm64 Dockerfile and .dockerignore",
    )
    .option(
      "-e, --entrypoint <file>",
      "the agent's main file (.py, or .ts/.js/.mjs); a directory is searched for agent.py, main.py, src/agent.ts, …",
    )
    .option(
      "-n, --name <agent>",
      "agent name: a letter, then letters, digits, '_' (default: from the entrypoint path, agents/writer/main.py -> agents_writer_main)",
    )
    .option("--execution-role <arn>", "IAM role the runtime assumes (default: created at launch)")
    .option("--ecr <repository>", "ECR repository name or URI, or auto (default: created at launch)")
    .option(
      "--requirements-file <file>",
      "requirements.txt or pyproject.toml (Python), package.json (Node) (default: found next to the entrypoint)",
    )
    .option("--discovery-url <url>", "OIDC discovery URL of the token issuer (https://…/.well-known/openid-configuration)")
    .option("--allowed-clients <ids>", "comma-separated client IDs accepted in the token's client_id (Cognito: the app client ID)")
    .option("--allowed-audience <values>", "comma-separated values accepted in the token's aud")
    .option("--allowed-scopes <scopes>", "comma-separated scopes, one of which the token's scope must hold")
    .option("--authorizer-config <json>", "the whole authorizer as JSON: '{\"customJWTAuthorizer\": {…}}', or null for IAM (SigV4)")
    .option("--request-header-allowlist <headers>", "comma-separated headers forwarded to the agent (JWT agents also get Authorization)")
    .option(
      "-p, --protocol <protocol>",
      "server protocol: HTTP (POST /invocations on 8080), MCP (/mcp on 8000), A2A (/ on 9000) or AGUI (SSE on /invocations, 8080) (default: HTTP)",
    )
    .option("--skip-discovery-check", "do not fetch the discovery document to check it")
    .option("--force", "overwrite an existing Dockerfile and .dockerignore")
    .option("--deploy <how>", "container (a linux/arm64 image, the default) or code (a zip on a managed runtime, no Docker)")
    .option("--runtime <runtime>", "with --deploy code: NODE_22, PYTHON_3_12, PYTHON_3_13 or PYTHON_3_14 (default: NODE_22 / PYTHON_3_13)")
    .option(
      "--env <KEY=VALUE>",
      "an environment variable of the agent (repeatable; kept with the agent's other variables)",
      collect,
      undefined,
    )
    .option("--env-file <file>", "environment variables from a dotenv file (KEY=VALUE lines); --env wins")
    .option("--network <mode>", "public (default) or vpc")
    .option("--subnets <ids>", "with --network vpc: comma-separated subnet IDs (1-16)")
    .option("--security-groups <ids>", "with --network vpc: comma-separated security group IDs (1-16)")
    .option("--idle-timeout <seconds>", "end a session after this many idle seconds (60-1209600; AgentCore's default 900)")
    .option("--set-default <name>", "make this agent the default (what commands without --agent act on) and change nothing else")
    .option("--max-lifetime <seconds>", "end a session after this many seconds whatever it does (60-1209600; default 28800)")
    .addHelpText(
      "after",
      `
Defaults come from the flags, then the agent's current settings, then .env (COGNITO_DISCOVERY_URL,
COGNITO_CLIENT_ID, AWS_REGION), then what \`agentcore-ts cognito setup\` saved in .agentcore.json.
Missing values are asked for on a terminal; with --non-interactive (or CI=true, or no terminal) they
must come from a flag or a default.

Examples:
  $ agentcore-ts configure --entrypoint agent.py                 # after cognito setup: JWT authorizer for its pool
  $ agentcore-ts configure -e src/agent.ts --name writer \\
      --discovery-url https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/openid-configuration \\
      --allowed-clients 1example23456789
  $ agentcore-ts configure -e agent.py --discovery-url https://issuer.example.com/.well-known/openid-configuration \\
      --allowed-audience api://my-agent --allowed-scopes agent/invoke
  $ agentcore-ts configure -e agent.py --authorizer-config null  # IAM (SigV4) instead of JWT
  $ agentcore-ts configure -e src/server.ts --protocol MCP        # an MCP server (Streamable HTTP on 0.0.0.0:8000/mcp)
  $ agentcore-ts configure -e src/agent.ts --deploy code --env LOG_LEVEL=debug   # no Docker: launch uploads a zip
  $ agentcore-ts configure --set-default writer                 # commands without --agent now act on writer
  $ agentcore-ts configure --network vpc --subnets subnet-0123456789abcdef0 --security-groups sg-0123456789abcdef0`,
    )
    .action(async (flags: ConfigureFlags, command: Command) => {
      await run(command, async (ctx) => {
        const { setDefault, ...configureFlags } = flags;
        if (setDefault !== undefined) {
          const [{ setDefaultAgent }, { printSetDefault }, { outcome }] = await Promise.all([
            import("../commands/configure/set-default.js"),
            import("../commands/configure/print.js"),
            import("../core/context.js"),
          ]);
          // The flags given besides --set-default, as typed (commander's camelCase back to --kebab-case).
          const others = Object.keys(configureFlags)
            .filter((key) => configureFlags[key as keyof typeof configureFlags] !== undefined)
            .map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
          return outcome(await setDefaultAgent(setDefault, ctx, others), printSetDefault);
        }
        const [{ configure }, { printConfigure }, { outcome }] = await Promise.all([
          import("../commands/configure/configure.js"),
          import("../commands/configure/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await configure(configureFlags, ctx), printConfigure);
      });
    });
}
