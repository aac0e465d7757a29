import type { SignalCursor } from '../pagination/signal-cursor';
import type { ValidSignalFilter } from './signal-query';

const DAY_MS = 86_400_000;

/** Width of the window a newest-first page tries before reading the whole range. */
export const RECENT_WINDOW_MS = 2 * DAY_MS;

/**
 * Furthest a stored signal's time may lie past now: messages are refused beyond 10 min today, but
 * signals stored under the earlier 24 h limit may still be ahead.
 */
const LATEST_STORED_TIME_AHEAD_MS = DAY_MS + 10 * 60_000;

/**
 * The filter narrowed to the most recent {@link RECENT_WINDOW_MS} a newest-first page can start
 * in: below `to`, below the cursor (the page continues after it), or else below the latest time a
 * stored signal can have. Read by day, such a window costs a few `day` equality queries on FerretDB,
 * where the whole range is a scan of every signal. Every signal the window leaves out is older than
 * all it holds, so when the window alone fills the page (and shows there is more), that page is
 * exact; otherwise the caller reads the whole range. Undefined when the filter's own range is no
 * wider than the window.
 */
export function recentWindowOf(
  filter: ValidSignalFilter,
  cursor: SignalCursor | undefined,
  nowMs: number,
): ValidSignalFilter | undefined {
  const candidates = [nowMs + LATEST_STORED_TIME_AHEAD_MS];
  if (filter.toMs !== undefined) candidates.push(filter.toMs);
  // The cursor's own instant stays in: signals at that time with a smaller id follow it.
  if (cursor !== undefined) candidates.push(cursor.timeMs + 1);
  const toMs = Math.min(...candidates);
  const fromMs = toMs - RECENT_WINDOW_MS;
  if (filter.fromMs !== undefined && filter.fromMs >= fromMs) return undefined;
  return { ...filter, fromMs, toMs };
}
