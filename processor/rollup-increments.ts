import { FLEET_DEVICE_ID, hourBucketIdFor, hourStartOf, utcDayOf } from '../schema';
import { signalSpanMs, type RollupContribution } from './rollup-recompute';

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
 * device-hour bucket and the fleet-hour bucket: one statement per document. Any interleaving of
 * these for different signals ends in the same state, which is what lets them run concurrently
 * and lets a repair recompute instead of undo.
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
            // `$max` of an embedded document compares field by field in order: the latest time
            // wins, ties go to the greater lat, lon, speed (see comparePositions).
            $max: {
              maxSpeed: signal.maxSpeed,
              lastSeen: ingestedAt,
              lastPosition,
              longestSignalSpanMs: signalSpanMs(signal),
            },
            $min: { firstSeen: ingestedAt },
          },
          upsert: true,
        },
      },
    ],
    hourBuckets: [
      bucketIncrement(signal.deviceId, signal, ingestedAt),
      bucketIncrement(FLEET_DEVICE_ID, signal, ingestedAt),
    ],
  };
}

function bucketIncrement(deviceId: string, signal: RollupContribution, ingestedAt: Date): RollupUpdate {
  const hourStart = hourStartOf(signal.time);
  return {
    updateOne: {
      filter: { _id: hourBucketIdFor(deviceId, signal.time) },
      update: {
        $setOnInsert: { deviceId, hourStart, day: utcDayOf(hourStart) },
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
 * the extreme for `$max/$min` — the latest last position included — and `$setOnInsert` as is,
 * being the same for every signal of a document), so a batch costs
 * one update per device and bucket instead of one per signal. Applying the result equals applying
 * each signal's increments in any order.
 */
export function coalescedIncrementsFor(signals: ReadonlyArray<RollupContribution>): RollupIncrements {
  const devices = new Map<string, RollupUpdate>();
  const buckets = new Map<string, RollupUpdate>();
  for (const signal of signals) {
    const increments = rollupIncrementsFor(signal);
    for (const device of increments.devices) mergeInto(devices, String(device.updateOne.filter._id), device);
    for (const bucket of increments.hourBuckets) mergeInto(buckets, String(bucket.updateOne.filter._id), bucket);
  }
  return { devices: [...devices.values()], hourBuckets: [...buckets.values()] };
}

/** A stored position, as the rollups keep it. */
export interface RollupPosition {
  time: Date;
  lat: number;
  lon: number;
  speed: number;
}

/** Orders positions as MongoDB's `$max` orders these embedded documents: by time, then lat, lon, speed. */
export function comparePositions(a: RollupPosition, b: RollupPosition): number {
  return a.time.getTime() - b.time.getTime() || a.lat - b.lat || a.lon - b.lon || a.speed - b.speed;
}

function greater(a: unknown, b: unknown): boolean {
  const isPosition = typeof a === 'object' && a !== null && 'lat' in a;
  return isPosition ? comparePositions(a as RollupPosition, b as RollupPosition) > 0 : (a as number) > (b as number);
}

function mergeInto(target: Map<string, RollupUpdate>, id: string, statement: RollupUpdate): void {
  const existing = target.get(id);
  if (existing === undefined) {
    const update = Object.fromEntries(
      Object.entries(statement.updateOne.update).map(([operator, fields]) => [operator, { ...(fields as object) }]),
    );
    target.set(id, { updateOne: { ...statement.updateOne, update } });
    return;
  }
  const into = existing.updateOne.update as Record<string, Record<string, unknown>>;
  const from = statement.updateOne.update as Record<string, Record<string, unknown>>;
  for (const [field, value] of Object.entries(from.$inc ?? {})) {
    (into.$inc as Record<string, number>)[field] = ((into.$inc?.[field] as number) ?? 0) + (value as number);
  }
  for (const [field, value] of Object.entries(from.$max ?? {})) {
    if (greater(value, into.$max?.[field])) (into.$max as Record<string, unknown>)[field] = value;
  }
  for (const [field, value] of Object.entries(from.$min ?? {})) {
    if (greater(into.$min?.[field], value)) (into.$min as Record<string, unknown>)[field] = value;
  }
}
