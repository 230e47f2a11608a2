/**
 * The one stop-signal helper: Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal (SIGHUP) ask a
 * foreground command to stop everything it started.
 *
 * Our listeners stay installed until `dispose()`, i.e. until the stop has finished. Removing them inside
 * the handler would leave only signal-exit's listener (ora brings it in), and signal-exit re-raises a
 * signal it sees no other listener for, killing the process before the stop ran
 * (https://github.com/tapjs/signal-exit#readme). A second signal during a slow stop ends the process at
 * once with 128 + the signal number, as a shell expects.
 */
import os from "node:os";

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface StopSignal {
  /** Aborted on the first stop signal. */
  readonly signal: AbortSignal;
  /** Resolves with the first stop signal received. */
  readonly received: Promise<NodeJS.Signals>;
  /** Removes the listeners: call once everything is stopped. */
  dispose(): void;
}

export function listenForStop(signals: readonly NodeJS.Signals[] = STOP_SIGNALS): StopSignal {
  const controller = new AbortController();
  let resolveReceived!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveReceived = resolve;
  });
  let first: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = signal;
      controller.abort(signal);
      resolveReceived(signal);
      return;
    }
    process.exit(128 + (os.constants.signals[signal] ?? 2));
  };
  for (const name of signals) process.on(name, onSignal);
  return {
    signal: controller.signal,
    received,
    dispose() {
      for (const name of signals) process.off(name, onSignal);
    },
  };
}
