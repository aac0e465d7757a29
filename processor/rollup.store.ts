import { mongo } from 'mongoose';
import { FLEET_DEVICE_ID, hourBucketIdFor, hourStartOf, utcDayOf } from '../schema';
import { boundedBulkWrite } from './bounded-bulk-write';
import type { ProcessorModels } from './processor.models';
import { isDuplicateKeyError } from './processing-failure';
import { coalescedIncrementsFor, type RollupUpdate } from './rollup-increments';
import { recomputeRollups, type HourBucketRollup, type RollupContribution } from './rollup-recompute';
import { contributionOf, ROLLUP_PROJECTION, type SignalDocument } from './signal-document';

/** Statements per bulk write when several run in parallel, and how many run at once. */
const PARALLEL_BULK_SIZE = 8;
const PARALLEL_BULKS = 8;

/**
 * Writes the device and hour-bucket rollups: increments as signals are stored, recomputation from
 * stored signals when increments may have landed partly (a crash between insert and `applied`) or
 * when signals change outside the increments (update, delete, retention).
 */
export class RollupStore {
  constructor(private readonly models: ProcessorModels) {}

  /**
   * Adds a batch of signals' contributions, coalesced to one statement per device and bucket.
   * Two writers upserting the same new document race to a duplicate-key error (FerretDB does not
   * retry that as MongoDB does); the statements that lost are simply run again.
   */
  async applyIncrements(signals: ReadonlyArray<RollupContribution>): Promise<void> {
    if (signals.length === 0) return;
    const increments = coalescedIncrementsFor(signals);
    // Every statement targets another document, so small bulks can run side by side: FerretDB
    // runs the statements of one command one after another, several commands in parallel.
    const devices = this.models.devices.collection as unknown as mongo.Collection<never>;
    const buckets = this.models.hourBuckets.collection as unknown as mongo.Collection<never>;
    const bulks: Array<() => Promise<void>> = [];
    for (let i = 0; i < increments.devices.length; i += PARALLEL_BULK_SIZE) {
      const statements = increments.devices.slice(i, i + PARALLEL_BULK_SIZE);
      bulks.push(() => writeRetryingUpsertRaces(devices, statements));
    }
    for (let i = 0; i < increments.hourBuckets.length; i += PARALLEL_BULK_SIZE) {
      const statements = increments.hourBuckets.slice(i, i + PARALLEL_BULK_SIZE);
      bulks.push(() => writeRetryingUpsertRaces(buckets, statements));
    }
    await runConcurrently(bulks, PARALLEL_BULKS);
  }

  /** Records that the rollups of `deviceIds` are about to be written; resolves with the marker's id. */
  async mark(deviceIds: Iterable<string>): Promise<mongo.ObjectId> {
    const marker = { _id: new mongo.ObjectId(), deviceIds: [...new Set(deviceIds)], since: new Date() };
    await this.models.rollupRepairs.insertOne(marker);
    return marker._id;
  }

  /** The rollups a marker covered are exact again. */
  async unmark(markerId: mongo.ObjectId): Promise<void> {
    await this.models.rollupRepairs.deleteOne({ _id: markerId });
  }

  /**
   * Whether a write covering `deviceId` is outstanding (under way, failed or crashed), leaving out
   * the markers in `except` (writes the caller knows to be under way and unrelated).
   */
  async isMarked(deviceId: string, except: ReadonlyArray<mongo.ObjectId> = []): Promise<boolean> {
    const filter = except.length === 0 ? { deviceIds: deviceId } : { deviceIds: deviceId, _id: { $nin: [...except] } };
    return (await this.models.rollupRepairs.countDocuments(filter, { limit: 1 })) > 0;
  }

  /**
   * Recomputes every device some marker or `pending` signal points at, then removes those markers
   * and marks those signals applied. The caller must hold exclusive access, so every marker left
   * belongs to a write that failed or died.
   *
   * Should that fail, each device is tried on its own: one device whose figures cannot be written
   * must not keep every other device inconsistent, nor the processor from starting. Devices that
   * still fail stay marked for the next repair, and are reported. Should the database itself be
   * away, the repair throws at the first device that fails.
   */
  async repairOutstanding(): Promise<RepairOutcome> {
    const markers = await this.models.rollupRepairs.find({}).toArray();
    const pending = (await this.models.signals.collection.distinct('deviceId', { rollupState: 'pending' })) as string[];
    const devices = new Set([...pending, ...markers.flatMap((m) => m.deviceIds)]);
    const failed = new Map<string, unknown>();
    try {
      await this.repairDevices(devices);
    } catch {
      for (const deviceId of devices) {
        try {
          await this.repairDevices([deviceId]);
        } catch (deviceError) {
          // The database itself away fails every device alike: the probe throws, and that ends the repair.
          await this.models.rollupRepairs.countDocuments({}, { limit: 1 });
          failed.set(deviceId, deviceError);
        }
      }
      if (failed.size > 0) await this.mark(failed.keys());
    }
    for (const marker of markers) await this.unmark(marker._id);
    return { repaired: [...devices].filter((deviceId) => !failed.has(deviceId)), failed };
  }

  /**
   * Recomputes the rollups of `deviceIds` (device, device-hour buckets, and the fleet buckets of
   * every hour touched) from stored signals and marks their `pending` signals applied. The caller
   * must hold exclusive access: no increment may land meanwhile.
   */
  async repairDevices(deviceIds: Iterable<string>): Promise<void> {
    const devices = [...new Set(deviceIds)];
    if (devices.length === 0) return;
    const affectedHours = new Map<number, Date>();
    for (const deviceId of devices) {
      for (const hour of await this.recomputeDevice(deviceId)) affectedHours.set(hour.getTime(), hour);
    }
    await this.recomputeFleetHours([...affectedHours.values()]);
    for (const deviceId of devices) {
      await this.models.signals.collection.updateMany(
        { deviceId, rollupState: 'pending' },
        { $set: { rollupState: 'applied' } },
      );
    }
  }

  /** Rewrites one device and its hour buckets; returns the hours whose fleet bucket may have changed. */
  private async recomputeDevice(deviceId: string): Promise<Date[]> {
    const signals = await this.models.signals.collection
      .find({ deviceId }, { projection: ROLLUP_PROJECTION, sort: { _id: 1 } })
      .toArray();
    const { devices, buckets } = recomputeRollups(signals.map((s) => contributionOf(s as unknown as SignalDocument)));
    const device = devices.get(deviceId);
    if (device === undefined) await this.models.devices.collection.deleteOne({ _id: deviceId as never });
    else await this.models.devices.collection.replaceOne({ _id: deviceId as never }, device, { upsert: true });

    const deviceBuckets = [...buckets.values()].filter((b) => b.deviceId === deviceId);
    const existing = await this.models.hourBuckets.collection
      .find({ deviceId }, { projection: { _id: 1, hourStart: 1 } })
      .toArray();
    const keep = new Set(deviceBuckets.map((b) => b._id));
    const stale = existing.filter((b) => !keep.has(b._id as unknown as string)).map((b) => b._id);
    await boundedBulkWrite(
      this.models.hourBuckets.collection,
      stale.map((id) => ({ deleteOne: { filter: { _id: id } } })),
    );
    await this.replaceBuckets(deviceBuckets);

    const hours = new Map<number, Date>();
    for (const bucket of deviceBuckets) hours.set(bucket.hourStart.getTime(), bucket.hourStart);
    for (const bucket of existing) {
      const hourStart = hourStartOf(bucket.hourStart as Date);
      hours.set(hourStart.getTime(), hourStart);
    }
    return [...hours.values()];
  }

  /**
   * A fleet bucket is the sum of the device buckets of its hour, which are exact for every device
   * (recomputed just now, or kept exact by their increments), so no scan of signals is needed.
   */
  private async recomputeFleetHours(hours: ReadonlyArray<Date>): Promise<void> {
    for (const hourStart of hours) {
      const deviceBuckets = (await this.models.hourBuckets.collection
        .find({ hourStart, deviceId: { $ne: FLEET_DEVICE_ID } })
        .toArray()) as unknown as HourBucketRollup[];
      const fleetId = hourBucketIdFor(FLEET_DEVICE_ID, hourStart);
      const fleet = sumBuckets(fleetId, hourStart, deviceBuckets);
      if (fleet === undefined) await this.models.hourBuckets.collection.deleteOne({ _id: fleetId as never });
      else await this.models.hourBuckets.collection.replaceOne({ _id: fleetId as never }, fleet, { upsert: true });
    }
  }

  private async replaceBuckets(buckets: ReadonlyArray<HourBucketRollup>): Promise<void> {
    // Mongoose types every collection with ObjectId ids; hour buckets have string ids.
    const hourBuckets = this.models.hourBuckets.collection as unknown as mongo.Collection<HourBucketRollup>;
    await boundedBulkWrite(
      hourBuckets,
      buckets.map((bucket) => ({ replaceOne: { filter: { _id: bucket._id }, replacement: bucket, upsert: true } })),
    );
  }
}

/** What a repair of outstanding devices did: which devices it recomputed, and why each of the others failed. */
export interface RepairOutcome {
  /** The devices recomputed: their positions may have moved, back as well. */
  repaired: string[];
  failed: ReadonlyMap<string, unknown>;
}

/** Runs `tasks` with at most `limit` at a time; rejects with the first failure once all settled. */
async function runConcurrently(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<void>;
      try {
        await task();
      } catch (error) {
        firstError ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (firstError !== undefined) throw firstError.error;
}

/** Runs update statements, re-running those that lost an upsert race (duplicate key on a new `_id`). */
export async function writeRetryingUpsertRaces(
  collection: mongo.Collection<never>,
  statements: RollupUpdate[],
): Promise<void> {
  let remaining = statements;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await collection.bulkWrite(remaining as never[], { ordered: false });
      return;
    } catch (error) {
      if (!isDuplicateKeyError(error) || attempt >= 3) throw error;
      const failed = writeErrorIndexes(error);
      if (failed.length === 0) throw error;
      remaining = failed.map((index) => remaining[index] as RollupUpdate);
    }
  }
}

/** Indexes of the failed statements of a bulk write error (the driver gives one error or a list). */
export function writeErrorIndexes(error: unknown): number[] {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors === undefined ? [] : [writeErrors];
  return list.map((e: { index?: number }) => e.index).filter((i): i is number => typeof i === 'number');
}

function sumBuckets(
  id: string,
  hourStart: Date,
  buckets: ReadonlyArray<HourBucketRollup>,
): HourBucketRollup | undefined {
  if (buckets.length === 0) return undefined;
  const sum: HourBucketRollup = {
    _id: id,
    deviceId: FLEET_DEVICE_ID,
    hourStart,
    day: utcDayOf(hourStart),
    count: 0,
    dataVolume: 0,
    distanceMeters: 0,
    maxSpeed: 0,
    speedSum: 0,
    sampleCount: 0,
    firstSeen: buckets[0]?.firstSeen as Date,
    lastSeen: buckets[0]?.lastSeen as Date,
  };
  for (const bucket of buckets) {
    sum.count += bucket.count;
    sum.dataVolume += bucket.dataVolume;
    sum.distanceMeters += bucket.distanceMeters;
    sum.maxSpeed = Math.max(sum.maxSpeed, bucket.maxSpeed);
    sum.speedSum += bucket.speedSum;
    sum.sampleCount += bucket.sampleCount;
    if (bucket.firstSeen < sum.firstSeen) sum.firstSeen = bucket.firstSeen;
    if (bucket.lastSeen > sum.lastSeen) sum.lastSeen = bucket.lastSeen;
  }
  return sum;
}
