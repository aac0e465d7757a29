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

/** What deciding a track's days reads: each a lookup of its own (the gateway's through mongoose, the benchmark's through the driver). */
export interface TrackDayLookups {
  /** Whether the `day` backfill and the longest-span backfill have run. */
  daysReadable(): Promise<boolean>;
  /** Whether a processor marker names the device: a rollup write of it under way or unfinished. */
  rollupsLag(deviceId: string): Promise<boolean>;
  /** The device's longest signal span, ms, if it has one. */
  longestSignalSpanMs(deviceId: string): Promise<number | undefined>;
}

/**
 * The UTC days to read `deviceId`'s signals in [fromMs, toMs] by, or undefined to read its whole
 * history. FerretDB narrows a query in PostgreSQL by top-level equality only, so without `day` a
 * track reads every signal the device ever sent. Days are used once both backfills have run, while
 * no rollup write of the device is under way or unfinished, and when the device has a longest span
 * (a device without one was never stored, or not yet by this version).
 */
export async function trackDaysFor(
  lookups: TrackDayLookups,
  deviceId: string,
  fromMs: number,
  toMs: number,
): Promise<string[] | undefined> {
  if (!(await lookups.daysReadable())) return undefined;
  // A signal is stored before its device's rollups take it in (and a rewrite replaces it before
  // they are recomputed); the processor's marker names the device all that time, also after a
  // failure, until the rollups are exact again. Checked before the device is read: a marker gone
  // now means the span read next covers every signal stored so far.
  if (await lookups.rollupsLag(deviceId)) return undefined;
  const span = await lookups.longestSignalSpanMs(deviceId);
  return typeof span === 'number' && Number.isFinite(span) ? trackDaysOf(fromMs, toMs, span) : undefined;
}
