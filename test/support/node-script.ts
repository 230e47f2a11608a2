/** Runs an ES-module script in a fresh Node process (for races between real processes); resolves with its exit code. */
import { spawn } from "node:child_process";

export function runNodeScript(script: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env, stdio: ["ignore", "ignore", "inherit"] });
    child.on("exit", resolve);
  });
}
