/**
 * Stopping what the quickstart started, at its last step or when a step fails or the run is
 * interrupted, and checking that nothing is left running: the gateway's and the agent's ports
 * refuse connections, the runtime record is gone, the embedded Cognito stopped (unless it was
 * running before, or another command still holds it).
 */
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunState, StopFacts } from "./types.js";

/** True when nothing accepts TCP connections on the URL's host and port any more. */
export function portRefuses(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** Stops the runtime and releases the embedded Cognito; says what is still running (nothing, normally). */
export async function stopEverything(state: RunState): Promise<StopFacts> {
  const facts: StopFacts = {};
  const rt = state.runtime ? await state.runtime.catch(() => undefined) : undefined;
  state.runtime = undefined;
  if (rt) {
    const agentPid = rt.agentPid;
    await rt.stop();
    const { isProcessAlive, readLocalRuntime } = await import("../../local/runtime-state.js");
    facts.gatewayStopped = await portRefuses(rt.gatewayUrl);
    facts.agentStopped = !isProcessAlive(agentPid) && (await portRefuses(rt.agentUrl));
    facts.runtimeRecordRemoved = (await readLocalRuntime(state.env, rt.agentName)) === undefined;
  }
  const held = state.cognito ? await state.cognito.catch(() => undefined) : undefined;
  state.cognito = undefined;
  if (held) {
    await held.stop();
    if (!held.startedHere) {
      facts.embeddedCognito = "left running (it was running before the quickstart)";
    } else {
      const { probeEmbeddedCognito } = await import("../../embedded-cognito/control.js");
      facts.embeddedCognito = "still running";
      for (let i = 0; i < 50; i += 1) {
        const probe = await probeEmbeddedCognito(held.endpoint, 500);
        if (probe.state !== "running") {
          facts.embeddedCognito = "stopped";
          break;
        }
        if (probe.info.holds > 0 && i >= 10) {
          facts.embeddedCognito = "still used by another agentcore-ts command";
          break;
        }
        await sleep(100);
      }
    }
  }
  return facts;
}
