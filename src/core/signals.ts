/**
 * The one stop-signal helper: Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal (SIGHUP) ask a
 * foreground command to stop everything it started.
 *
 * Our listeners stay installed until `dispose()`, i.e. until the stop has finished. Removing them inside
 * the handler would leave only signal-exit's listener (ora brings it in), and signal-exit re-raises a
 * signal it sees no other listener for, killing the process before the stop ran
 * (https://github.com/tapjs/signal-exit#readme). A second signal during a slow stop ends the process at
 * once with 128 + the signal number, as a shell expects.
 *
 * A closed terminal also turns the CLI's own output into errors (EIO on a hung-up TTY, EPIPE on a
 * closed pipe): `outputClosed()` makes that a stop of the running foreground command, never a crash
 * that would skip it.
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
  /** The first stop request (a signal, or the output closing) starts the stop; true if it was the first. */
  const request = (signal: NodeJS.Signals): boolean => {
    if (first !== undefined) return false;
    first = signal;
    controller.abort(signal);
    resolveReceived(signal);
    return true;
  };
  // Node calls a signal listener with (name, number): take the name only.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!request(signal)) process.exit(128 + (os.constants.signals[signal] ?? 2));
  };
  // Output that fails while a stop runs is expected (the terminal is gone): let the stop finish.
  const onOutputClosed = () => void request("SIGHUP");
  for (const name of signals) process.on(name, onSignal);
  active.add(onOutputClosed);
  return {
    signal: controller.signal,
    received,
    dispose() {
      for (const name of signals) process.off(name, onSignal);
      active.delete(onOutputClosed);
    },
  };
}

/** The stops of the foreground commands listening now. */
const active = new Set<() => void>();

/**
 * stdout or stderr can no longer be written (EPIPE: the reader of a pipe left; EIO: the terminal was
 * closed). A foreground command stops everything it started, as on SIGHUP, and ends when that is done;
 * any other command ends at once with `exitCode`.
 */
export function outputClosed(exitCode: number): void {
  if (active.size === 0) process.exit(exitCode);
  for (const stop of active) stop();
}
