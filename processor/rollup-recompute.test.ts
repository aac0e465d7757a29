import { contributionAt as signal, HOUR, T0 } from '../test/support/rollup-contribution.fixture';
import { FLEET_DEVICE_ID, hourBucketIdFor } from '../schema';
import {
  coalescedIncrementsFor,
  comparePositions,
  rollupIncrementsFor,
  type RollupPosition,
  type RollupUpdate,
} from './rollup-increments';
import { recomputeRollups, type RollupContribution } from './rollup-recompute';

/** Applies update statements the way MongoDB does, for the operators the increments use. */
function applyStatements(store: Map<string, Record<string, unknown>>, statements: RollupUpdate[]): void {
  for (const { updateOne } of statements) {
    const { _id } = updateOne.filter as { _id: string };
    let doc = store.get(_id);
    if (doc === undefined) {
      if (!updateOne.upsert) continue;
      doc = { _id, ...((updateOne.update.$setOnInsert as object) ?? {}) };
      store.set(_id, doc);
    }
    const u = updateOne.update as Record<string, Record<string, unknown>>;
    for (const [k, v] of Object.entries(u.$inc ?? {})) doc[k] = ((doc[k] as number) ?? 0) + (v as number);
    for (const [k, v] of Object.entries(u.$max ?? {})) {
      const less =
        k === 'lastPosition'
          ? (a: unknown, b: unknown) => comparePositions(a as RollupPosition, b as RollupPosition) < 0
          : (a: unknown, b: unknown) => (a as number) < (b as number);
      if (doc[k] === undefined || less(doc[k], v)) doc[k] = v;
    }
    for (const [k, v] of Object.entries(u.$min ?? {}))
      if (doc[k] === undefined || (doc[k] as number) > (v as number)) doc[k] = v;
    for (const [k, v] of Object.entries(u.$set ?? {})) doc[k] = v;
  }
}

describe('recomputeRollups', () => {
  it('sums a device and its hour buckets, and the fleet bucket across devices', () => {
    const signals = [
      signal('a', 0, { maxSpeed: 5, ingestedAt: T0 + 9_000 }),
      signal('a', 60_000, { ingestedAt: T0 + 1_000 }),
      signal('a', HOUR),
      signal('b', 120_000, { dataVolume: 50 }),
    ];
    const { devices, buckets } = recomputeRollups(signals);
    expect(devices.get('a')).toMatchObject({
      signalCount: 3,
      totalDistanceMeters: 30,
      maxSpeed: 5,
      speedSum: 18,
      sampleCount: 9,
      dataVolume: 300,
      firstSeen: new Date(T0 + 1_000),
      lastSeen: new Date(T0 + HOUR + 5_000),
      lastPosition: { time: new Date(T0 + HOUR + 2_000) },
    });
    expect(buckets.get(hourBucketIdFor('a', T0))).toMatchObject({ count: 2, dataVolume: 200, maxSpeed: 5 });
    expect(buckets.get(hourBucketIdFor('a', T0 + HOUR))).toMatchObject({ count: 1 });
    expect(buckets.get(hourBucketIdFor(FLEET_DEVICE_ID, T0))).toMatchObject({
      count: 3,
      dataVolume: 250,
      deviceId: FLEET_DEVICE_ID,
    });
    expect(buckets.size).toBe(5);
  });

  it('has no rollups for no signals', () => {
    const { devices, buckets } = recomputeRollups([]);
    expect(devices.size + buckets.size).toBe(0);
  });

  it('equals the write-time increments applied in any order', () => {
    const signals = [
      signal('a', 0),
      signal('a', 30_000, { end: { time: T0 + 900_000, lat: 9, lon: 9, speed: 1 }, maxSpeed: 7 }),
      signal('a', 31_000, { end: { time: T0 + 900_000, lat: 9.5, lon: 1, speed: 1 } }),
      signal('a', HOUR + 5),
      signal('b', 10, { ingestedAt: T0 - 50_000 }),
      signal('b', 2 * HOUR),
    ];
    const expected = recomputeRollups(signals);
    for (const order of [
      [0, 1, 2, 3, 4, 5],
      [5, 4, 3, 2, 1, 0],
      [2, 0, 5, 4, 1, 3],
    ]) {
      const devices = new Map<string, Record<string, unknown>>();
      const buckets = new Map<string, Record<string, unknown>>();
      for (const index of order) {
        const increments = rollupIncrementsFor(signals[index] as RollupContribution);
        applyStatements(devices, increments.devices);
        applyStatements(buckets, increments.hourBuckets);
      }
      expect(Object.fromEntries(devices)).toEqual(Object.fromEntries(expected.devices));
      expect(Object.fromEntries(buckets)).toEqual(Object.fromEntries(expected.buckets));
    }
  });

  it('equals the increments of a batch coalesced into one statement per document', () => {
    const signals = [
      signal('a', 0),
      signal('a', 30_000, { end: { time: T0 + 900_000, lat: 9, lon: 9, speed: 1 }, maxSpeed: 7, ingestedAt: T0 - 1 }),
      signal('a', 40_000, { end: { time: T0 + 900_000, lat: 8, lon: 8, speed: 1 } }),
      signal('b', 10),
      signal('b', 2 * HOUR),
    ];
    const expected = recomputeRollups(signals);
    const devices = new Map<string, Record<string, unknown>>();
    const buckets = new Map<string, Record<string, unknown>>();
    // An earlier batch, then the rest coalesced.
    applyStatements(devices, rollupIncrementsFor(signals[0] as RollupContribution).devices);
    applyStatements(buckets, rollupIncrementsFor(signals[0] as RollupContribution).hourBuckets);
    const batch = coalescedIncrementsFor(signals.slice(1));
    expect(batch.devices).toHaveLength(2);
    expect(batch.hourBuckets).toHaveLength(5);
    applyStatements(devices, batch.devices);
    applyStatements(buckets, batch.hourBuckets);
    expect(Object.fromEntries(devices)).toEqual(Object.fromEntries(expected.devices));
    expect(Object.fromEntries(buckets)).toEqual(Object.fromEntries(expected.buckets));
  });
});
