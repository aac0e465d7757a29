import { utcDayOf } from '../../schema';

const DAY_MS = 86_400_000;

/**
 * Bounded ranges touching at most this many UTC days are read one day at a time, by equality on
 * `day`: FerretDB narrows a query in PostgreSQL by top-level equality only, so a time range alone
 * reads the device's (or the fleet's) whole history.
 */
export const MAX_DAYS_READ_BY_DAY = 7;

/**
 * The UTC days (`YYYY-MM-DD`) that [fromMs, toMs) touches, oldest first; at most `limit + 1` of
 * them, so a caller can tell "more than `limit`" without listing a range of centuries.
 */
export function utcDaysBetween(fromMs: number, toMs: number, limit: number): string[] {
  if (toMs <= fromMs) return [];
  const days: string[] = [];
  const firstDayStart = fromMs - (((fromMs % DAY_MS) + DAY_MS) % DAY_MS);
  for (let dayStart = firstDayStart; dayStart < toMs && days.length <= limit; dayStart += DAY_MS) {
    days.push(utcDayOf(dayStart));
  }
  return days;
}
