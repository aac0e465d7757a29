import { FLEET_DEVICE_ID, hourBucketIdFor, hourStartOf } from '../schema';
import type { RollupContribution } from './rollup-recompute';

/** One update statement of a bulkWrite on `devices` or `hour_buckets`. */
export interface RollupUpdate {
  updateOne: {
    filter: Record<string, unknown>;
    update: Record<string, unknown>;
    upsert?: boolean;
  };
}

/** The statements that add one signal to the rollups, by collection. */
export interface RollupIncrements {
  devices: RollupUpdate[];
  hourBuckets: RollupUpdate[];
}

/**
 * The commutative upserts (`$inc/$max/$min/$setOnInsert`) that add one signal to its device, its
 * device-hour bucket and the fleet-hour bucket, plus a conditional `$set` of the last position that
 * only moves it forward in time. Any interleaving of these for different signals ends in the same
 * state, which is what lets them run concurrently and lets a repair recompute instead of undo.
 */
export function rollupIncrementsFor(signal: RollupContribution): RollupIncrements {
  const ingestedAt = new Date(signal.ingestedAt);
  const lastPosition = { ...signal.end, time: new Date(signal.end.time) };
  return {
    devices: [
      {
        updateOne: {
          filter: { _id: signal.deviceId },
          update: {
            $inc: {
              signalCount: 1,
              totalDistanceMeters: signal.distanceMeters,
              speedSum: signal.speedSum,
              sampleCount: signal.sampleCount,
              dataVolume: signal.dataVolume,
            },
            $max: { maxSpeed: signal.maxSpeed, lastSeen: ingestedAt },
            $min: { firstSeen: ingestedAt },
          },
          upsert: true,
        },
      },
      {
        updateOne: {
          filter: {
            _id: signal.deviceId,
            $or: [{ lastPosition: { $exists: false } }, { 'lastPosition.time': { $lt: lastPosition.time } }],
          },
          update: { $set: { lastPosition } },
        },
      },
    ],
    hourBuckets: [bucketIncrement(signal.deviceId, signal, ingestedAt), bucketIncrement(FLEET_DEVICE_ID, signal, ingestedAt)],
  };
}

function bucketIncrement(deviceId: string, signal: RollupContribution, ingestedAt: Date): RollupUpdate {
  return {
    updateOne: {
      filter: { _id: hourBucketIdFor(deviceId, signal.time) },
      update: {
        $setOnInsert: { deviceId, hourStart: hourStartOf(signal.time) },
        $inc: {
          count: 1,
          dataVolume: signal.dataVolume,
          distanceMeters: signal.distanceMeters,
          speedSum: signal.speedSum,
          sampleCount: signal.sampleCount,
        },
        $max: { maxSpeed: signal.maxSpeed, lastSeen: ingestedAt },
        $min: { firstSeen: ingestedAt },
      },
      upsert: true,
    },
  };
}

/**
 * The increments of many signals merged into one statement per target document (sums for `$inc`,
 * the extreme for `$max/$min`, the latest position for the conditional `$set`), so a batch costs
 * one update per device and bucket instead of one per signal. Applying the result equals applying
 * each signal's increments in any order.
 */
export function coalescedIncrementsFor(signals: ReadonlyArray<RollupContribution>): RollupIncrements {
  const devices = new Map<string, RollupUpdate>();
  const positions = new Map<string, RollupUpdate>();
  const buckets = new Map<string, RollupUpdate>();
  for (const signal of signals) {
    const increments = rollupIncrementsFor(signal);
    const [deviceUpsert, positionUpdate] = increments.devices as [RollupUpdate, RollupUpdate];
    mergeInto(devices, signal.deviceId, deviceUpsert);
    const previous = positions.get(signal.deviceId);
    if (previous === undefined || positionTime(positionUpdate) > positionTime(previous)) positions.set(signal.deviceId, positionUpdate);
    for (const bucket of increments.hourBuckets) mergeInto(buckets, String(bucket.updateOne.filter._id), bucket);
  }
  return {
    // Each device's upsert directly before its conditional position update (run them ordered).
    devices: [...devices.keys()].flatMap((id) => [devices.get(id) as RollupUpdate, positions.get(id) as RollupUpdate]),
    hourBuckets: [...buckets.values()],
  };
}

function positionTime(update: RollupUpdate): number {
  return ((update.updateOne.update.$set as { lastPosition: { time: Date } }).lastPosition.time).getTime();
}

function mergeInto(target: Map<string, RollupUpdate>, id: string, statement: RollupUpdate): void {
  const existing = target.get(id);
  if (existing === undefined) {
    target.set(id, structuredClone(statement));
    return;
  }
  const into = existing.updateOne.update as Record<string, Record<string, unknown>>;
  const from = statement.updateOne.update as Record<string, Record<string, unknown>>;
  for (const [field, value] of Object.entries(from.$inc ?? {})) {
    (into.$inc as Record<string, number>)[field] = ((into.$inc?.[field] as number) ?? 0) + (value as number);
  }
  for (const [field, value] of Object.entries(from.$max ?? {}) as Array<[string, number | Date]>) {
    const current = into.$max?.[field] as number | Date;
    if (value > current) (into.$max as Record<string, unknown>)[field] = value;
  }
  for (const [field, value] of Object.entries(from.$min ?? {}) as Array<[string, number | Date]>) {
    const current = into.$min?.[field] as number | Date;
    if (value < current) (into.$min as Record<string, unknown>)[field] = value;
  }
}
