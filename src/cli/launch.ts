import { type Command, Option } from "commander";
import { parseTimeoutFlag } from "../aws/polling.js";
import { run } from "./run.js";

export interface LaunchFlags {
  agent?: string;
  build?: "docker" | "codebuild";
  imageUri?: string;
  local?: boolean;
  port?: string;
  agentPort?: string;
  timeout?: string;
  process?: boolean;
  watch?: boolean;
  install?: boolean;
}

export function register(program: Command): void {
  program
    .command("launch")
    .description(
      "Build the agent's linux/arm64 image, push it to ECR, create or update the AgentCore runtime and wait until it is ready; or, with --local, run it behind a local inbound-auth gateway",
    )
    .option("--agent <name>", "agent to launch (default: the default agent)")
    .addOption(
      new Option("--build <how>", "where to build the image (default: docker when an engine is reachable, else codebuild)").choices([
        "docker",
        "codebuild",
      ]),
    )
    .option("--image-uri <uri>", "deploy this existing image and skip building")
    .option("--timeout <seconds>", "longest wait for the build and for the endpoint to serve the new version (default 900)")
    .option("--local", "run the agent locally behind a gateway that enforces its customJWTAuthorizer (foreground, Ctrl-C stops)")
    .option("--port <port>", "with --local: the gateway's port on 127.0.0.1")
    .option(
      "--agent-port <port>",
      "with --local: the agent's port on 127.0.0.1 (default: 8080 when free, else a free port; 8080 inside a container)",
    )
    .option("--process", "with --local: run the agent as a plain process even when a container engine is reachable")
    .option(
      "--watch",
      "with --local: reload the agent when a file under its entrypoint's directory changes (.dockerignore honoured); the gateway stays up",
    )
    .option(
      "--install",
      "with --local: install a process-mode agent's missing dependencies (npm ci / npm install; pip or uv into the project's .venv) without asking",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ agentcore-ts launch                         # build, push, create or update, wait for READY
  $ agentcore-ts launch --build codebuild       # build in AWS CodeBuild (ARM) when there is no local engine
  $ agentcore-ts launch --image-uri 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:v1
  $ agentcore-ts launch --local --port 8081     # local runtime + inbound-auth gateway on 127.0.0.1:8081
  $ agentcore-ts launch --local --process       # agent as a plain process (no container engine needed)
  $ agentcore-ts launch --local --watch         # reload the agent on every save (a container is rebuilt)
  $ agentcore-ts launch --local --install       # install missing dependencies (node_modules, .venv) first`,
    )
    .action(async (flags: LaunchFlags, command: Command) => {
      await run(command, async (ctx) => {
        if (flags.local) {
          const [{ launchLocal }, { localLaunchReporter }] = await Promise.all([
            import("../commands/launch/local.js"),
            import("../commands/launch/print.js"),
          ]);
          // A foreground command: what it prints (its --json document included) goes out while it runs, through the reporter.
          await launchLocal(
            {
              agentName: flags.agent,
              port: flags.port,
              agentPort: flags.agentPort,
              process: flags.process,
              watch: flags.watch,
              install: flags.install,
            },
            ctx,
            {
              report: localLaunchReporter(ctx.output),
            },
          );
          return undefined;
        }
        const [{ launch }, { printLaunch }, { outcome }] = await Promise.all([
          import("../commands/launch/launch.js"),
          import("../commands/launch/print.js"),
          import("../core/context.js"),
        ]);
        const result = await launch(
          {
            agentName: flags.agent,
            build: flags.build,
            imageUri: flags.imageUri,
            timeoutSeconds: parseTimeoutFlag(flags.timeout),
            watch: flags.watch,
            install: flags.install,
          },
          ctx,
        );
        return outcome(result, printLaunch);
      });
    });
}
