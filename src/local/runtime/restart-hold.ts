/**
 * The restart hold: while the agent is being restarted (after a crash, or on purpose: a watch-mode
 * reload), requests wait here instead of meeting a closed port, and go on to the new agent once it
 * answers GET /ping. The wait is bounded by the restart's own ping timeout, so a request never waits
 * longer than the restart itself may take; a failed or timed-out restart releases the waiters with
 * the reason (the gateway then answers 424 as the service does for a runtime that fails to start).
 *
 * One hold per supervised agent. Usage by whoever restarts the agent:
 *   const done = hold.begin(timeoutMs);   // requests arriving from now on wait
 *   ... stop/start the agent, wait for /ping ...
 *   done.ready();  or  done.failed(reason);
 * and by the gateway: `const r = await hold.whenReady(); if (!r.ready) answer424(r.reason)`.
 */

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Ends one restart (begin()'s handle); only the first call counts. */
export interface RestartHandle {
  ready(): void;
  failed(reason: string): void;
}

const READY: Readiness = { ready: true };

interface Pending {
  promise: Promise<Readiness>;
  settle(r: Readiness): void;
  timer: NodeJS.Timeout;
  /** A later restart took over: this one's end no longer counts. */
  superseded: boolean;
}

export class RestartHold {
  private pending: Pending | undefined;

  /** True while a restart is under way. */
  get restarting(): boolean {
    return this.pending !== undefined;
  }

  /**
   * A restart begins: requests wait until the handle settles it, or `timeoutMs` passes (then they are
   * released as not ready). A restart begun while another is under way takes over its waiters.
   */
  begin(timeoutMs: number): RestartHandle {
    let settle!: (r: Readiness) => void;
    const promise = new Promise<Readiness>((resolve) => (settle = resolve));
    const previous = this.pending;
    if (previous) {
      clearTimeout(previous.timer);
      previous.superseded = true;
      void promise.then(previous.settle); // the older waiters follow this restart
    }
    const end = (r: Readiness) => {
      if (mine.superseded) return;
      clearTimeout(mine.timer);
      if (this.pending === mine) this.pending = undefined;
      settle(r);
    };
    const mine: Pending = {
      promise,
      settle,
      superseded: false,
      timer: setTimeout(
        () => end({ ready: false, reason: `the agent is still restarting after ${Math.round(timeoutMs / 1000)}s` }),
        timeoutMs,
      ),
    };
    mine.timer.unref();
    this.pending = mine;
    return { ready: () => end(READY), failed: (reason) => end({ ready: false, reason }) };
  }

  /** Resolves at once when no restart is under way, else when it ends (ready, failed or timed out). */
  whenReady(): Promise<Readiness> {
    return this.pending ? this.pending.promise : Promise.resolve(READY);
  }
}
