import type { Types } from 'mongoose';
import { FLEET_DEVICE_ID, hourBucketIdFor, hourStartOf } from '../schema';
import type { ProcessorModels } from './processor.models';
import { rollupIncrementsFor } from './rollup-increments';
import { recomputeRollups, type HourBucketRollup, type RollupContribution } from './rollup-recompute';
import { contributionOf, ROLLUP_PROJECTION, type SignalDocument } from './signal-document';

/**
 * Statements per bulk write. FerretDB v1 deadlocks on one update command with as many statements
 * as its PostgreSQL pool has connections; 32 stays far below any sane pool.
 */
export const MAX_STATEMENTS_PER_BULK = 32;

/**
 * Writes the device and hour-bucket rollups: increments as signals are stored, recomputation from
 * stored signals when increments may have landed partly (a crash between insert and `applied`) or
 * when signals change outside the increments (update, delete, retention).
 */
export class RollupStore {
  constructor(private readonly models: ProcessorModels) {}

  /** Adds one signal's contribution. Each statement is commutative, so concurrent calls are safe. */
  async applyIncrements(signal: RollupContribution): Promise<void> {
    const increments = rollupIncrementsFor(signal);
    // Device statements are ordered: the conditional last-position update needs the upserted device.
    await Promise.all([
      this.models.devices.collection.bulkWrite(increments.devices as never, { ordered: true }),
      this.models.hourBuckets.collection.bulkWrite(increments.hourBuckets as never, { ordered: false }),
    ]);
  }

  async markApplied(signalIds: ReadonlyArray<Types.ObjectId>): Promise<void> {
    for (let i = 0; i < signalIds.length; i += MAX_STATEMENTS_PER_BULK) {
      const batch = signalIds.slice(i, i + MAX_STATEMENTS_PER_BULK);
      await this.models.signals.collection.bulkWrite(
        batch.map((id) => ({ updateOne: { filter: { _id: id }, update: { $set: { rollupState: 'applied' } } } })),
        { ordered: false },
      );
    }
  }

  /** Records that these devices' rollups are about to stop matching their signals (survives a crash). */
  async markDirty(deviceIds: Iterable<string>): Promise<void> {
    const since = new Date();
    const statements = [...new Set(deviceIds)].map((id) => ({
      updateOne: { filter: { _id: id }, update: { $setOnInsert: { since } }, upsert: true },
    }));
    await this.bulk(this.models.rollupRepairs, statements);
  }

  /** Devices whose rollups cannot be trusted: with `pending` signals, or marked dirty. */
  async devicesNeedingRepair(): Promise<string[]> {
    const pending = (await this.models.signals.collection.distinct('deviceId', { rollupState: 'pending' })) as string[];
    const dirty = await this.models.rollupRepairs.find({}, { projection: { _id: 1 } }).toArray();
    return [...new Set([...pending, ...dirty.map((d) => d._id)])];
  }

  /**
   * Recomputes the rollups of `deviceIds` (device, device-hour buckets, and the fleet buckets of
   * every hour touched) from stored signals, then marks their signals applied and clears the dirty
   * marks. The caller must hold exclusive access: no increment may land meanwhile.
   */
  async repairDevices(deviceIds: Iterable<string>): Promise<void> {
    const devices = [...new Set(deviceIds)];
    if (devices.length === 0) return;
    const affectedHours = new Map<number, Date>();
    for (const deviceId of devices) {
      for (const hour of await this.recomputeDevice(deviceId)) affectedHours.set(hour.getTime(), hour);
    }
    await this.recomputeFleetHours([...affectedHours.values()]);
    const pending = await this.models.signals.collection
      .find({ deviceId: { $in: devices }, rollupState: 'pending' }, { projection: { _id: 1 } })
      .toArray();
    await this.markApplied(pending.map((d) => d._id as Types.ObjectId));
    await this.models.rollupRepairs.deleteMany({ _id: { $in: devices } });
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
    if (stale.length > 0) await this.models.hourBuckets.collection.deleteMany({ _id: { $in: stale } });
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
    await this.bulk(
      this.models.hourBuckets.collection,
      buckets.map((bucket) => ({ replaceOne: { filter: { _id: bucket._id }, replacement: bucket, upsert: true } })),
    );
  }

  private async bulk(collection: { bulkWrite(ops: never[], options: object): Promise<unknown> }, statements: ReadonlyArray<unknown>): Promise<void> {
    for (let i = 0; i < statements.length; i += MAX_STATEMENTS_PER_BULK) {
      await collection.bulkWrite(statements.slice(i, i + MAX_STATEMENTS_PER_BULK) as never[], { ordered: false });
    }
  }
}

function sumBuckets(id: string, hourStart: Date, buckets: ReadonlyArray<HourBucketRollup>): HourBucketRollup | undefined {
  if (buckets.length === 0) return undefined;
  const sum: HourBucketRollup = {
    _id: id,
    deviceId: FLEET_DEVICE_ID,
    hourStart,
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
