import { DAY_FIELD_MIGRATIONS, type Signal } from '../../schema';
import type { DayFieldReadiness } from '../db/day-field-readiness';
import type { GatewayModels } from '../db/gateway-models';
import { mapWithConcurrency } from '../db/map-with-concurrency';
import { SIGNAL_SUMMARY_PROJECTION } from '../loaders/gateway-loaders';
import type { GatewayServices } from '../gateway-services';
import { toPageRequest, type PageRequest } from '../pagination/page-request';
import { decodeSignalCursor, encodeSignalCursor, type SignalCursor } from '../pagination/signal-cursor';
import type { SignalConnection } from './signal-connection.type';
import { recentWindowOf } from './recent-window';
import { compareSignalPositions, planSignalQueries, scansDescending, type ValidSignalFilter } from './signal-query';
import { SignalOrder } from './signal-order.enum';
import type { SignalsArgs } from './signals.args';

/** Page size of `signals` when the arguments give none. */
const DEFAULT_PAGE_SIZE = 20;

/** Per-device (and per-day) queries in flight at once for one page. */
const DEVICE_QUERY_CONCURRENCY = 8;

function positionOf(signal: Signal): SignalCursor {
  return { timeMs: signal.time.getTime(), id: signal._id.toHexString() };
}

/**
 * Reads one page of signals. Each query is a lean `find` with a limit, so the driver closes its
 * cursor once the batch is read; per-device results merge in Node.
 */
export async function readSignalPage(
  models: GatewayModels,
  filter: ValidSignalFilter,
  order: SignalOrder,
  page: PageRequest,
  dayFields: DayFieldReadiness,
): Promise<SignalConnection> {
  const cursor =
    page.cursor === undefined
      ? undefined
      : decodeSignalCursor(page.cursor, page.direction === 'forward' ? 'after' : 'before');
  const empty: SignalConnection = {
    edges: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  };
  if (page.size === 0 || filter.deviceIds?.length === 0) return empty;
  const descending = scansDescending(order, page.direction);
  /** The page's scan of `scanned`; undefined when `onlyByDay` and it would not be read by day. */
  const scan = async (scanned: ValidSignalFilter, byDay: boolean, onlyByDay = false): Promise<Signal[] | undefined> => {
    const plan = planSignalQueries(scanned, order, { direction: page.direction, cursor, size: page.size, byDay });
    if (onlyByDay && !plan.splitByDay) return undefined;
    const batches = await mapWithConcurrency(plan.filters, DEVICE_QUERY_CONCURRENCY, (query) =>
      models.signals.find(query, SIGNAL_SUMMARY_PROJECTION).sort(plan.sort).limit(plan.limit).lean<Signal[]>(),
    );
    return batches.flat().sort((a, b) => compareSignalPositions(positionOf(a), positionOf(b), descending));
  };
  // Only ranges read by day gain from a narrower range; ask whether days can be read (a cached
  // lookup) only then.
  const bounded = filter.fromMs !== undefined && filter.toMs !== undefined;
  const dayReadable = (descending || bounded) && (await dayFields.ready(DAY_FIELD_MIGRATIONS.signals));
  // Newest first, the most recent days usually fill the page: read them by day before the whole range.
  const window = descending && dayReadable ? recentWindowOf(filter, cursor, Date.now()) : undefined;
  const fromWindow = window ? await scan(window, true, true) : undefined;
  const scanned =
    fromWindow !== undefined && fromWindow.length > page.size
      ? fromWindow
      : ((await scan(filter, dayReadable && bounded)) ?? []);
  const hasMore = scanned.length > page.size;
  const kept = scanned.slice(0, page.size);
  if (page.direction === 'backward') kept.reverse();
  const edges = kept.map((node) => ({ cursor: encodeSignalCursor(positionOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.direction === 'forward' ? hasMore : cursor !== undefined,
      hasPreviousPage: page.direction === 'backward' ? hasMore : cursor !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** The page of `signals` arguments (newest first unless ordered otherwise) among signals matching `filter`. */
export function readSignalPageOf(
  services: Pick<GatewayServices, 'models' | 'dayFields' | 'config'>,
  filter: ValidSignalFilter,
  args: SignalsArgs,
): Promise<SignalConnection> {
  return readSignalPage(
    services.models,
    filter,
    args.orderBy ?? SignalOrder.TIME_DESC,
    toPageRequest(args, DEFAULT_PAGE_SIZE, services.config.maxPageSize),
    services.dayFields,
  );
}
