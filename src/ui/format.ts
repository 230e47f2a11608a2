/** Every human formatter of times and durations (never a token): one place, so the wording is the same everywhere. */

/** "59 min", "2 h 5 min", "45 s", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "45s", "12m", "23h59m": compact durations for check details and uptimes. */
export function compactDuration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}

/** "850ms", "2.3s": how long a step took. */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** "2026-01-01 14:05:00 UTC" */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "expires 2026-01-01 14:05:00 UTC (in 59 min)" or "expired 2026-… (3 min ago)". */
export function describeExpiry(expiresAt: Date, now = Date.now()): string {
  const left = expiresAt.getTime() - now;
  return left > 0
    ? `expires ${formatTime(expiresAt)} (in ${formatDuration(left)})`
    : `EXPIRED ${formatTime(expiresAt)} (${formatDuration(left)} ago)`;
}

/** "in 45 min", "3 h ago": a time relative to now, in minutes or hours. */
export function relativeTime(iso: string, now = Date.now()): string {
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  const span = Math.abs(minutes) >= 120 ? `${Math.round(Math.abs(minutes) / 60)} h` : `${Math.abs(minutes)} min`;
  return minutes >= 0 ? `in ${span}` : `${span} ago`;
}
