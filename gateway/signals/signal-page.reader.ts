import { DAY_FIELD_MIGRATIONS, type Signal } from '../../schema';
import type { DayFieldReadiness } from '../db/day-field-readiness';
import type { GatewayModels } from '../db/gateway-models';
import { SIGNAL_SUMMARY_PROJECTION } from '../loaders/gateway-loaders';
import type { GatewayServices } from '../gateway-services';
import { toPageRequest, type PageRequest } from '../pagination/page-request';
import { decodeSignalCursor, encodeSignalCursor, type SignalCursor } from '../pagination/signal-cursor';
import type { SignalConnection } from './signal-connection.type';
import { scansDescending, type ValidSignalFilter } from './signal-query';
import { scanSignalPage } from './signal-scan';
import { SignalOrder } from './signal-order.enum';
import type { SignalsArgs } from './signals.args';

/** Page size of `signals` when the arguments give none. */
const DEFAULT_PAGE_SIZE = 20;

function positionOf(signal: Signal): SignalCursor {
  return { timeMs: signal.time.getTime(), id: signal._id.toHexString() };
}

/**
 * Reads one page of signals (`scanSignalPage`). Each query is a lean `find` with a limit, so the
 * driver closes its cursor once the batch is read.
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
  // A page of 0 still reads one signal: `hasNextPage` (or `hasPreviousPage`) tells whether there is any.
  if (filter.deviceIds?.length === 0) return empty;
  // Only ranges read by day gain from a narrower range; ask whether days can be read (a cached
  // lookup) only then.
  const bounded = filter.fromMs !== undefined && filter.toMs !== undefined;
  const dayReadable =
    (scansDescending(order, page.direction) || bounded) && (await dayFields.ready(DAY_FIELD_MIGRATIONS.signals));
  const scanned = await scanSignalPage(
    filter,
    order,
    { direction: page.direction, cursor, size: page.size },
    dayReadable,
    Date.now(),
    (query, sort, limit) =>
      models.signals.find(query, SIGNAL_SUMMARY_PROJECTION).sort(sort).limit(limit).lean<Signal[]>(),
    positionOf,
  );
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
