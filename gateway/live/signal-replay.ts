import type { ReturnModelType } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import type { Signal } from '../../schema';
import { SIGNAL_SUMMARY_PROJECTION } from '../loaders/gateway-loaders';
import { bboxIntersectionQuery, type BBoxFilter } from './bbox-filter';
import type { LiveSignal } from './processed-signal.mapper';

/** Where a replay continues: strictly after `afterId`, or from `fromId` inclusive. */
export type ReplayPosition = { afterId: Types.ObjectId } | { fromId: Types.ObjectId };

export interface ReplayFilter {
  /** Only these devices; undefined = every device. */
  deviceIds: readonly string[] | undefined;
  bbox: BBoxFilter | undefined;
}

/**
 * Reads stored signals in ingest order (ObjectId order) in bounded pages.
 *
 * Every page is one `find` with `limit` = `batchSize`, read to the end, so no server cursor
 * outlives the call, even when the subscriber goes away mid-replay (FerretDB v1 holds a
 * PostgreSQL connection per open cursor). With a device filter each device is read with
 * top-level `deviceId` equality (what FerretDB pushes down) and the pages are merged by id.
 */
export class SignalReplay {
  constructor(
    private readonly signals: ReturnModelType<typeof Signal>,
    private readonly pageSize: number,
  ) {}

  /** The next page after `position` (at most `pageSize` signals, ascending ids); empty when caught up. */
  async nextPage(position: ReplayPosition, filter: ReplayFilter): Promise<LiveSignal[]> {
    if (filter.deviceIds === undefined) return this.readPage(position, undefined, filter.bbox);
    const perDevice = await Promise.all(
      filter.deviceIds.map((deviceId) => this.readPage(position, deviceId, filter.bbox)),
    );
    const merged = perDevice.flat().sort((a, b) => compareObjectIds(a._id, b._id));
    // Only the first `pageSize` merged ids are certainly complete: a device's page may stop
    // before ids another device already returned.
    return merged.slice(0, this.pageSize);
  }

  private async readPage(
    position: ReplayPosition,
    deviceId: string | undefined,
    bbox: BBoxFilter | undefined,
  ): Promise<LiveSignal[]> {
    const query: Record<string, unknown> = {};
    if (deviceId !== undefined) query.deviceId = deviceId;
    query._id = 'afterId' in position ? { $gt: position.afterId } : { $gte: position.fromId };
    if (bbox) {
      // Intersection as ranges and an `$or` over validated numbers (never a client-supplied object),
      // boxes across the antimeridian included, exactly as the live filter decides it.
      const { ranges, anyOf } = bboxIntersectionQuery(bbox);
      Object.assign(query, ranges);
      if (anyOf) query.$or = anyOf;
    }
    return this.signals
      .find(query, SIGNAL_SUMMARY_PROJECTION)
      .sort({ _id: 1 })
      .limit(this.pageSize)
      .batchSize(this.pageSize)
      .lean<LiveSignal[]>();
  }
}

/** Orders ObjectIds as MongoDB does (bytewise). */
export function compareObjectIds(a: Types.ObjectId, b: Types.ObjectId): number {
  return Buffer.compare(a.id, b.id);
}
