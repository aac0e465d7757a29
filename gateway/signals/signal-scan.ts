import { mapWithConcurrency } from '../db/map-with-concurrency';
import type { PageDirection } from '../pagination/page-request';
import type { SignalCursor } from '../pagination/signal-cursor';
import { recentWindowOf } from './recent-window';
import {
  compareSignalPositions,
  planSignalQueries,
  scansDescending,
  type SignalQueryPlan,
  type ValidSignalFilter,
} from './signal-query';
import type { SignalOrder } from './signal-order.enum';

/** Per-device (and per-day) queries in flight at once for one page. */
const DEVICE_QUERY_CONCURRENCY = 8;

/** Runs one planned query (a filter with the plan's sort and limit) and resolves with its documents. */
export type SignalFind<Doc> = (
  query: Record<string, unknown>,
  sort: SignalQueryPlan['sort'],
  limit: number,
) => Promise<Doc[]>;

/** Where one page starts and how long it is. */
export interface SignalScanPage {
  direction: PageDirection;
  cursor: SignalCursor | undefined;
  size: number;
}

/**
 * The signals one page reads, in scan order: up to `size + 1` (the one past the page shows there is
 * more). Newest first, with `day` readable, the most recent days usually fill the page: they are
 * read by day before the whole range (`recentWindowOf`). Each query goes through `find` (the
 * gateway's lean mongoose finds; the benchmark's driver finds), per-device results merge here.
 */
export async function scanSignalPage<Doc>(
  filter: ValidSignalFilter,
  order: SignalOrder,
  page: SignalScanPage,
  dayReadable: boolean,
  nowMs: number,
  find: SignalFind<Doc>,
  positionOf: (doc: Doc) => SignalCursor,
): Promise<Doc[]> {
  const descending = scansDescending(order, page.direction);
  /** The scan of `scanned`; undefined when `onlyByDay` and it would not be read by day. */
  const scan = async (scanned: ValidSignalFilter, byDay: boolean, onlyByDay = false): Promise<Doc[] | undefined> => {
    const plan = planSignalQueries(scanned, order, { ...page, byDay });
    if (onlyByDay && !plan.splitByDay) return undefined;
    const batches = await mapWithConcurrency(plan.filters, DEVICE_QUERY_CONCURRENCY, (query) =>
      find(query, plan.sort, plan.limit),
    );
    return batches.flat().sort((a, b) => compareSignalPositions(positionOf(a), positionOf(b), descending));
  };
  const bounded = filter.fromMs !== undefined && filter.toMs !== undefined;
  const window = descending && dayReadable ? recentWindowOf(filter, page.cursor, nowMs) : undefined;
  const fromWindow = window ? await scan(window, true, true) : undefined;
  return fromWindow !== undefined && fromWindow.length > page.size
    ? fromWindow
    : ((await scan(filter, dayReadable && bounded)) ?? []);
}
