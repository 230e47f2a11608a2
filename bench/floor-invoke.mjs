/**
 * The floor for bench/invoke.mjs: the least a Node client can do for `invoke --local --bearer`, with
 * none of the CLI (no argument parsing, no validation, no token expiry check, no error handling).
 * It reads what invoke reads (.agentcore.json, the token cache, the local runtime record), POSTs
 * the payload with the cached token to the gateway and prints the answer. Run in the project
 * directory with AGENTCORE_TS_HOME set. With `--commander` it first parses its command line with commander,
 * one command registered: the floor of a CLI built on commander.
 */
import { promises as fsp } from "node:fs";
import http from "node:http";
import path from "node:path";

if (process.argv.includes("--commander")) {
  const { Command } = await import("commander");
  const program = new Command("floor");
  program
    .command("invoke")
    .argument("[payload]")
    .option("--local")
    .option("--bearer")
    .option("--commander")
    .action(() => {});
  await program.parseAsync(["node", "floor", "invoke", "What is 2+3?", "--local", "--bearer", "--commander"]);
}

const home = process.env.AGENTCORE_TS_HOME;
const [config, tokens] = await Promise.all([
  fsp.readFile(path.join(process.cwd(), ".agentcore.json"), "utf8").then(JSON.parse),
  fsp.readFile(path.join(home, "tokens.json"), "utf8").then(JSON.parse),
]);
const agent = config.defaultAgent;
const record = JSON.parse(await fsp.readFile(path.join(home, "local", `runtime-${agent}.json`), "utf8"));
const token = Object.values(tokens.entries)[0].accessToken;
const url = new URL(`${record.gatewayUrl}/runtimes/${encodeURIComponent(record.agentRuntimeArn)}/invocations?qualifier=DEFAULT`);
const request = http.request(url, {
  method: "POST",
  agent: false,
  headers: {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    "x-amzn-bedrock-agentcore-runtime-session-id": "bench-floor-session-0000000000000000",
  },
});
request.on("response", (response) => {
  let body = "";
  response.setEncoding("utf8");
  response.on("data", (chunk) => (body += chunk));
  response.on("end", () => process.stdout.write(`${body}\n`));
});
request.end(JSON.stringify({ prompt: "What is 2+3?" }));
