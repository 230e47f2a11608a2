/** Human formatting shared by `cognito setup` and the `token` commands (never prints a token). */
import type { JWTPayload } from "jose";

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

/** The claims a user checks against an authorizer, in a stable order; undefined ones left out. */
export function summaryClaims(claims: JWTPayload): Record<string, unknown> {
  const keys = ["iss", "client_id", "aud", "token_use", "scope", "username", "sub", "iat", "nbf", "exp"];
  const summary: Record<string, unknown> = {};
  for (const key of keys) if (claims[key] !== undefined) summary[key] = claims[key];
  return summary;
}
