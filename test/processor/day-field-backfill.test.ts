import type mongoose from 'mongoose';
import { ANTIMERIDIAN_BBOX_MIGRATION } from '../../processor/antimeridian-bbox.backfill';
import { backfillDayFields } from '../../processor/day-field.backfill';
import {
  DAY_FIELD_MIGRATIONS,
  hourBucketIdFor,
  hourStartOf,
  MIGRATIONS_COLLECTION,
  SIGNAL_SPAN_MIGRATION,
  utcDayOf,
} from '../../schema';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectSuiteDb, startTestProcessor } from './support/processor-harness';

const HOUR = 3_600_000;

describe('day field backfill', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: mongoose.Connection;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_day_field'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
  });

  afterAll(() => disposables.disposeAll());

  it('gives signals and hour buckets stored before `day` existed their UTC day when the processor starts, once', async () => {
    // 40 hours across a day boundary: more than one bulk of updates, documents of two days.
    const start = Date.UTC(2025, 5, 30, 3);
    const hours = Array.from({ length: 40 }, (_, i) => start + i * HOUR);
    await db.collection('hour_buckets').insertMany(
      hours.map((time) => ({
        _id: hourBucketIdFor('legacy-dev', time),
        deviceId: 'legacy-dev',
        hourStart: hourStartOf(time),
        count: 1,
      })) as never[],
    );
    await db.collection('signals').insertMany(
      hours.map((time, i) => ({
        deviceId: 'legacy-dev',
        time: new Date(time + 17 * 60_000),
        idempotencyKey: `legacy-${i}`,
      })),
    );

    const processor = await startTestProcessor(infra);
    await processor.close();

    const buckets = await db.collection('hour_buckets').find({ deviceId: 'legacy-dev' }).toArray();
    const signals = await db.collection('signals').find({ deviceId: 'legacy-dev' }).toArray();
    expect(buckets).toHaveLength(40);
    expect(signals).toHaveLength(40);
    for (const bucket of buckets) expect(bucket.day).toBe(utcDayOf(bucket.hourStart as Date));
    for (const signal of signals) expect(signal.day).toBe(utcDayOf(signal.time as Date));
    expect(new Set(signals.map((signal) => signal.day))).toEqual(new Set(['2025-06-30', '2025-07-01']));
    const migrations = await db.collection(MIGRATIONS_COLLECTION).find({}).toArray();
    expect(migrations.map((m) => m._id).sort()).toEqual(
      [
        DAY_FIELD_MIGRATIONS.hourBuckets,
        DAY_FIELD_MIGRATIONS.signals,
        ANTIMERIDIAN_BBOX_MIGRATION,
        SIGNAL_SPAN_MIGRATION,
      ].sort(),
    );

    // Recorded as done: a later start does not walk the collections again.
    await db.collection('signals').insertOne({ deviceId: 'late-dev', time: new Date(start), idempotencyKey: 'late' });
    expect(await backfillDayFields(db.db!)).toBe(0);
    expect((await db.collection('signals').findOne({ deviceId: 'late-dev' }))?.day).toBeUndefined();
  });
});
