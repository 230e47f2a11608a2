/** The --since flag: a duration back from now ("90s", "10m", "2h", "1d", "1w") or an ISO 8601 time. */
import { UsageError } from "../../errors.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds since the epoch where the window starts. */
export function parseSince(value: string | undefined, now = Date.now()): number {
  if (value === undefined) return now - UNIT_MS.h!;
  const text = value.trim();
  const duration = /^(\d+)\s*([smhdw])$/i.exec(text);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!.toLowerCase()]!;
  // Only full dates or date-times: Date.parse accepts odd strings ("1") that would be surprising here.
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return at;
  }
  throw new UsageError(`--since must be a duration like 30s, 10m, 2h, 1d or an ISO 8601 time, got "${value}".`, {
    hint: "For example: --since 10m, or --since 2026-01-31T09:00:00Z",
    code: "InvalidSince",
  });
}
