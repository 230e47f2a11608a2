/**
 * Waiting on AWS: every delay in launch/destroy is a multiple of one time unit, so tests make the
 * whole flow fast with AGENTCORE_TS_POLL_MS (e.g. 5) and users keep realistic defaults (1 s).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AgentcoreError, UsageError } from "../errors.js";

export interface Timing {
  /** The base delay in milliseconds: polls start at one unit and back off to a few units. */
  unitMs: number;
  /** How long one wait may take before it fails with a timeout. */
  timeoutMs: number;
}

export const DEFAULT_UNIT_MS = 1000;
export const DEFAULT_TIMEOUT_SECONDS = 900;

/** Reads AGENTCORE_TS_POLL_MS (the unit) and an optional timeout in seconds (the --timeout flag). */
export function timingFrom(env: NodeJS.ProcessEnv, timeoutSeconds?: number): Timing {
  const raw = env.AGENTCORE_TS_POLL_MS;
  const unit = raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : DEFAULT_UNIT_MS;
  return { unitMs: Math.max(1, unit), timeoutMs: Math.max(1, timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000 };
}

/** The --timeout flag: whole seconds, or undefined when not given. */
export function parseTimeoutFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value.trim())) {
    throw new UsageError(`--timeout must be a whole number of seconds, got "${value}".`, {
      hint: "For example: --timeout 1200",
      code: "InvalidTimeout",
    });
  }
  return Number(value.trim());
}

/**
 * Runs `action`, retrying while `retryable(error)` holds: IAM changes take seconds to reach other
 * services, so a freshly created role is at first refused. Delays min(5·2^n, 15) units, 4 retries.
 */
export async function retryWhilePropagating<T>(
  action: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  timing: Timing,
  onRetry: (attempt: number, delayMs: number) => void,
  retries = 4,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= retries || !retryable(error)) throw error;
      const delay = Math.min(5 * 2 ** attempt, 15) * timing.unitMs;
      onRetry(attempt + 1, delay);
      await sleep(delay);
    }
  }
}

export interface PollOptions {
  timing: Timing;
  /** "the DEFAULT endpoint to serve version 3": used in the timeout message. */
  what: string;
  /** What to do after a timeout. */
  hint: string;
  /** The interval grows by half each poll up to this many units (default 5). */
  maxIntervalUnits?: number;
}

/**
 * Calls `check` until it returns a value (not undefined), sleeping with backoff in between.
 * `check` throws to stop with an error (e.g. CREATE_FAILED).
 */
export async function pollUntil<T>(check: (attempt: number) => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const started = Date.now();
  const maxInterval = options.timing.unitMs * (options.maxIntervalUnits ?? 5);
  let interval = options.timing.unitMs;
  for (let attempt = 0; ; attempt++) {
    const value = await check(attempt);
    if (value !== undefined) return value;
    if (Date.now() - started + interval > options.timing.timeoutMs) {
      throw new AgentcoreError(`Timed out after ${Math.round((Date.now() - started) / 1000)}s waiting for ${options.what}.`, {
        code: "Timeout",
        hint: options.hint,
      });
    }
    await sleep(interval);
    interval = Math.min(Math.ceil(interval * 1.5), maxInterval);
  }
}
