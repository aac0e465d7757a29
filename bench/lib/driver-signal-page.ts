import type { mongo } from 'mongoose';
import type { SignalCursor } from '../../gateway/pagination/signal-cursor';
import { SignalOrder } from '../../gateway/signals/signal-order.enum';
import type { ValidSignalFilter } from '../../gateway/signals/signal-query';
import { scanSignalPage } from '../../gateway/signals/signal-scan';

/**
 * The finds the gateway's `signals` resolver issues for a newest-first page, issued through the
 * driver: the gateway's own scan (`scanSignalPage`, the recent window by day first, the whole range
 * when it does not fill the page) runs each query through the driver here instead of mongoose, so
 * the driver side of the queries scenario reads what the gateway reads, whatever plan it follows.
 * Resolves with the page's documents plus the one that shows there is more.
 */
export function driverSignalPage(
  signals: mongo.Collection,
  filter: ValidSignalFilter,
  cursor: SignalCursor | undefined,
  size: number,
  projection: mongo.Document,
  nowMs: number,
): Promise<mongo.Document[]> {
  return scanSignalPage(
    filter,
    SignalOrder.TIME_DESC,
    { direction: 'forward', cursor, size },
    true,
    nowMs,
    (query, sort, limit) => signals.find(query, { projection }).sort(sort).limit(limit).toArray(),
    (doc) => ({ timeMs: (doc.time as Date).getTime(), id: String(doc._id) }),
  );
}
