/**
 * A rotation interval as a tag value carries it: a whole number of days or hours (`30d`, `12h`).
 * Anything else is refused rather than guessed at: `30` could mean days or minutes, and a secret
 * rotated on a guessed schedule is worse than one reported as misconfigured.
 */
const HOUR_MS = 3_600_000;
const UNIT_MS = { h: HOUR_MS, d: 24 * HOUR_MS } as const;

/** Ten years: longer is a typo, not a schedule. */
const MAX_INTERVAL_MS = 3650 * UNIT_MS.d;

export type IntervalParse = { ok: true; ms: number } | { ok: false; reason: string };

export function parseInterval(text: string): IntervalParse {
  const match = /^\s*(\d{1,6})\s*([dh])\s*$/i.exec(text);
  if (!match) return { ok: false, reason: 'is not an interval such as 30d or 12h' };
  const unit = (match[2] as string).toLowerCase() as keyof typeof UNIT_MS;
  const ms = Number(match[1]) * UNIT_MS[unit];
  if (ms < HOUR_MS) return { ok: false, reason: 'is shorter than one hour' };
  if (ms > MAX_INTERVAL_MS) return { ok: false, reason: 'is longer than 3650 days' };
  return { ok: true, ms };
}
