import type { Device } from '../../schema';
import type { GatewayModels } from '../db/gateway-models';
import { decodeDeviceCursor, encodeDeviceCursor } from '../pagination/device-cursor';
import type { PageRequest } from '../pagination/page-request';
import type { DeviceConnection } from './device-connection.type';

/**
 * One page of devices in id order: ids never change, so pages neither repeat nor skip a device
 * however often devices report. `onlineSince` keeps devices last seen at or after it.
 */
export async function readDevicePage(
  models: GatewayModels,
  page: PageRequest,
  onlineSince: Date | undefined,
): Promise<DeviceConnection> {
  const cursor =
    page.cursor === undefined
      ? undefined
      : decodeDeviceCursor(page.cursor, page.direction === 'forward' ? 'after' : 'before');
  const forward = page.direction === 'forward';
  const query: Record<string, unknown> = {};
  if (cursor !== undefined) query._id = forward ? { $gt: cursor } : { $lt: cursor };
  if (onlineSince) query.lastSeen = { $gte: onlineSince };
  const scanned = await models.devices
    .find(query)
    .sort({ _id: forward ? 1 : -1 })
    .limit(page.size + 1)
    .lean<Device[]>();
  const hasMore = scanned.length > page.size;
  const kept = scanned.slice(0, page.size);
  if (!forward) kept.reverse();
  const edges = kept.map((node) => ({ cursor: encodeDeviceCursor(node._id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? hasMore : cursor !== undefined,
      hasPreviousPage: forward ? cursor !== undefined : hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
