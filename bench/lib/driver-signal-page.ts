import type { mongo } from 'mongoose';
import type { SignalCursor } from '../../gateway/pagination/signal-cursor';
import { recentWindowOf } from '../../gateway/signals/recent-window';
import { compareSignalPositions, planSignalQueries, type ValidSignalFilter } from '../../gateway/signals/signal-query';
import { SignalOrder } from '../../gateway/signals/signal-order.enum';

/**
 * The finds the gateway's `signals` resolver issues for a newest-first page, issued through the
 * driver: planned by the gateway's own functions (`recentWindowOf`, `planSignalQueries`), so the
 * driver side of the queries scenario reads what the gateway reads, whatever plan it follows. The
 * recent window is read by day first; the whole range only when the window does not fill the page
 * (as `readSignalPage` does). Resolves with the page's documents plus the one that shows there is more.
 */
export async function driverSignalPage(
  signals: mongo.Collection,
  filter: ValidSignalFilter,
  cursor: SignalCursor | undefined,
  size: number,
  projection: mongo.Document,
  nowMs: number,
): Promise<mongo.Document[]> {
  const scan = async (scanned: ValidSignalFilter, byDay: boolean) => {
    const plan = planSignalQueries(scanned, SignalOrder.TIME_DESC, { direction: 'forward', cursor, size, byDay });
    const batches = await Promise.all(
      plan.filters.map((query) => signals.find(query, { projection }).sort(plan.sort).limit(plan.limit).toArray()),
    );
    const documents = batches
      .flat()
      .sort((a, b) =>
        compareSignalPositions(
          { timeMs: (a.time as Date).getTime(), id: String(a._id) },
          { timeMs: (b.time as Date).getTime(), id: String(b._id) },
          true,
        ),
      );
    return { documents, splitByDay: plan.splitByDay };
  };
  const window = recentWindowOf(filter, cursor, nowMs);
  if (window !== undefined) {
    const recent = await scan(window, true);
    if (recent.splitByDay && recent.documents.length > size) return recent.documents.slice(0, size + 1);
  }
  const bounded = filter.fromMs !== undefined && filter.toMs !== undefined;
  return (await scan(filter, bounded)).documents.slice(0, size + 1);
}
