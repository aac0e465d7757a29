import { contributionAt as signal, HOUR, T0 } from '../test/support/rollup-contribution.fixture';
import { FLEET_DEVICE_ID, hourBucketIdFor } from '../schema';
import { coalescedIncrementsFor, type RollupUpdate } from './rollup-increments';

function statementFor(statements: RollupUpdate[], id: string): Record<string, Record<string, unknown>> {
  const statement = statements.find((s) => s.updateOne.filter._id === id);
  if (statement === undefined) throw new Error(`no statement for ${id}`);
  expect(statement.updateOne.upsert).toBe(true);
  return statement.updateOne.update as Record<string, Record<string, unknown>>;
}

describe('coalescedIncrementsFor', () => {
  it('sends one statement per device, device-hour and fleet-hour however many signals hit them', () => {
    const signals = [signal('a', 0), signal('a', 1_000), signal('b', 2_000), signal('a', HOUR), signal('b', 3_000)];
    const { devices, hourBuckets } = coalescedIncrementsFor(signals);
    expect(devices.map((s) => s.updateOne.filter._id).sort()).toEqual(['a', 'b']);
    expect(hourBuckets.map((s) => s.updateOne.filter._id).sort()).toEqual(
      [
        hourBucketIdFor('a', T0),
        hourBucketIdFor('b', T0),
        hourBucketIdFor(FLEET_DEVICE_ID, T0),
        hourBucketIdFor('a', T0 + HOUR),
        hourBucketIdFor(FLEET_DEVICE_ID, T0 + HOUR),
      ].sort(),
    );
  });

  it('adds up the $inc fields of every signal of a document', () => {
    const signals = [
      signal('a', 0, { dataVolume: 100, distanceMeters: 1.5, speedSum: 4, sampleCount: 2 }),
      signal('a', 1_000, { dataVolume: 250, distanceMeters: 2.25, speedSum: 10, sampleCount: 5 }),
      signal('b', 2_000, { dataVolume: 7, distanceMeters: 1, speedSum: 1, sampleCount: 1 }),
    ];
    const { devices, hourBuckets } = coalescedIncrementsFor(signals);
    expect(statementFor(devices, 'a').$inc).toEqual({
      signalCount: 2,
      totalDistanceMeters: 3.75,
      speedSum: 14,
      sampleCount: 7,
      dataVolume: 350,
    });
    expect(statementFor(hourBuckets, hourBucketIdFor(FLEET_DEVICE_ID, T0)).$inc).toEqual({
      count: 3,
      dataVolume: 357,
      distanceMeters: 4.75,
      speedSum: 15,
      sampleCount: 8,
    });
  });

  it('keeps the greatest $max and the least $min whatever the order of the signals', () => {
    const signals = [
      signal('a', 0, { maxSpeed: 2, ingestedAt: T0 + 50_000 }),
      signal('a', 1_000, { maxSpeed: 9, ingestedAt: T0 + 10_000 }),
      signal('a', 2_000, { maxSpeed: 4, ingestedAt: T0 + 90_000 }),
    ];
    for (const ordered of [signals, [...signals].reverse()]) {
      const { devices, hourBuckets } = coalescedIncrementsFor(ordered);
      const device = statementFor(devices, 'a');
      expect(device.$max?.maxSpeed).toBe(9);
      expect(device.$max?.lastSeen).toEqual(new Date(T0 + 90_000));
      expect(device.$min).toEqual({ firstSeen: new Date(T0 + 10_000) });
      const bucket = statementFor(hourBuckets, hourBucketIdFor('a', T0));
      expect(bucket.$max).toEqual({ maxSpeed: 9, lastSeen: new Date(T0 + 90_000) });
      expect(bucket.$min).toEqual({ firstSeen: new Date(T0 + 10_000) });
    }
  });

  it('keeps the latest last position, ties going to the greater lat, lon and speed', () => {
    const latest = { time: T0 + 600_000, lat: 5, lon: 5, speed: 1 };
    const signals = [
      signal('a', 0, { end: { time: T0 + 600_000, lat: 4, lon: 9, speed: 9 } }),
      signal('a', 1_000, { end: latest }),
      signal('a', 2_000, { end: { time: T0 + 500_000, lat: 80, lon: 80, speed: 80 } }),
    ];
    for (const ordered of [signals, [...signals].reverse()]) {
      const device = statementFor(coalescedIncrementsFor(ordered).devices, 'a');
      expect(device.$max?.lastPosition).toEqual({ ...latest, time: new Date(latest.time) });
    }
  });

  it('sets the bucket identity on insert only, for the device or the fleet it belongs to', () => {
    const { hourBuckets } = coalescedIncrementsFor([signal('a', 0), signal('a', 30 * 60_000), signal('b', 0)]);
    expect(statementFor(hourBuckets, hourBucketIdFor('a', T0)).$setOnInsert).toEqual({
      deviceId: 'a',
      hourStart: new Date(T0),
      day: new Date(T0).toISOString().slice(0, 10),
    });
    expect(statementFor(hourBuckets, hourBucketIdFor(FLEET_DEVICE_ID, T0)).$setOnInsert).toEqual({
      deviceId: FLEET_DEVICE_ID,
      hourStart: new Date(T0),
      day: new Date(T0).toISOString().slice(0, 10),
    });
  });
});
