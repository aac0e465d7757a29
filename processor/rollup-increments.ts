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
