/**
 * What the agent's own log says went wrong, as a hint with the fix: a missing dependency (Python's
 * ModuleNotFoundError, Node's ERR_MODULE_NOT_FOUND / MODULE_NOT_FOUND) names the interpreter that ran
 * and the command that installs it; a port already in use (EADDRINUSE, errno 98) says whether the agent
 * ignored $PORT. Read only when the agent exited or never answered its health check.
 */
import { which } from "../util/which.js";

export interface LoggedAgent {
  mode: "process" | "container";
  /** The port the agent was given in $PORT (process mode) or published to (container mode). */
  port: number;
  /** The command that ran it; its first word is the interpreter (process mode). */
  command: string;
  language?: "python" | "node";
  /** Relative to the project directory. */
  requirementsFile?: string | null;
  env?: NodeJS.ProcessEnv;
}

function missingModule(log: string): { module: string; language: "python" | "node" } | undefined {
  const python = /ModuleNotFoundError: No module named '([^']+)'/.exec(log);
  if (python) return { module: python[1]!, language: "python" };
  const node = /Cannot find (?:package|module) '([^']+)'/.exec(log);
  if (node && /ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/.test(log)) return { module: node[1]!, language: "node" };
  return undefined;
}

function installHint(agent: LoggedAgent, missing: { module: string; language: "python" | "node" }): string {
  const requirements = agent.requirementsFile ?? undefined;
  if (agent.mode === "container") {
    return `The image has no ${missing.language === "python" ? "Python module" : "package"} "${missing.module}": add it to ${requirements ?? (missing.language === "python" ? "requirements.txt" : "package.json")} and run \`agentcore-ts launch --local\` again (the image is rebuilt).`;
  }
  const first = agent.command.split(" ")[0] ?? "";
  const interpreter = which(first, agent.env ?? process.env) ?? first;
  if (missing.language === "python") {
    // launch --local checked the manifest before the start, so the module is not what it declares.
    const top = missing.module.split(".")[0]!;
    const venv = interpreter.includes("/.venv/");
    const manifest = requirements ?? "requirements.txt";
    return `The agent ran with ${interpreter}${venv ? "" : " (the project has no .venv)"}, which has no module "${missing.module}": add the package that provides "${top}" to ${manifest} and run \`agentcore-ts launch --local --install\`, which installs ${manifest} into ${venv ? "the project's .venv" : `a new .venv in the project (never into ${interpreter})`}.`;
  }
  if (missing.module.startsWith(".") || missing.module.startsWith("/")) {
    return `The agent (run with ${process.execPath}) imports ${missing.module}, which does not exist: check the path, or build the project first.`;
  }
  const pkg = missing.module.startsWith("@") ? missing.module.split("/").slice(0, 2).join("/") : missing.module.split("/")[0]!;
  return `The agent ran with node ${process.versions.node} (${process.execPath}), which finds no package "${pkg}": run \`npm install\` in the project${requirements ? "" : ` (or \`npm install ${pkg}\`)`}.`;
}

function portInUse(log: string): number | undefined | null {
  if (!/EADDRINUSE|\[Errno 98\]|address already in use/i.test(log)) return null;
  const node = /EADDRINUSE[^\n]*?:(\d+)\s*$/m.exec(log);
  const python = /\(\s*'[^']*'\s*,\s*(\d+)\s*\)/.exec(log);
  const port = node?.[1] ?? python?.[1];
  return port ? Number(port) : undefined;
}

/** A hint from the agent's log, or undefined when it shows nothing this tool recognises. */
export function logHint(log: string, agent: LoggedAgent): string | undefined {
  const missing = missingModule(log);
  if (missing) return installHint(agent, missing);
  const port = portInUse(log);
  if (port === null) return undefined;
  if (agent.mode === "process" && port !== undefined && port !== agent.port) {
    // The SDKs' plain app.run() listens on 8080 whatever PORT says (bedrock-agentcore's
    // BedrockAgentCoreApp.run(port=8080)); launch --local gives the agent another port when 8080 is busy.
    return `The agent ignored PORT=${agent.port} and tried to listen on ${port}, which another program holds. Free port ${port}, or make the agent listen on $PORT: in Python \`app.run(port=int(os.environ.get("PORT", "8080")))\`, in Node \`app.run({ port: Number(process.env.PORT ?? 8080) })\`.`;
  }
  return `Port ${port ?? agent.port} is already in use by another program: stop it, or pass --agent-port with a free port.`;
}
