import { MAX_DAYS_READ_BY_DAY, utcDaysBetween } from '../db/utc-days';

/**
 * The UTC days (of message time, the signals' `day`) whose signals can reach into [fromMs, toMs]
 * for a device whose longest signal spans `longestSignalSpanMs`: such a signal starts at or before
 * `toMs` and at most that long before `fromMs`. Undefined when that is more than
 * {@link MAX_DAYS_READ_BY_DAY} days, or none: the caller then reads the device's whole history.
 */
export function trackDaysOf(fromMs: number, toMs: number, longestSignalSpanMs: number): string[] | undefined {
  const days = utcDaysBetween(fromMs - Math.max(0, longestSignalSpanMs), toMs + 1, MAX_DAYS_READ_BY_DAY);
  return days.length > 0 && days.length <= MAX_DAYS_READ_BY_DAY ? days : undefined;
}
