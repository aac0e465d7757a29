import { DayFieldReadiness } from '../../gateway/db/day-field-readiness';
import type { GatewayModels } from '../../gateway/db/gateway-models';
import { readTrackPoints } from '../../gateway/track/track-points.reader';
import { backfillLongestSignalSpans } from '../../processor/signal-span.backfill';
import { MIGRATIONS_COLLECTION, ROLLUP_REPAIRS_COLLECTION, SIGNAL_SPAN_MIGRATION } from '../../schema';
import { Disposables } from '../support/disposables';
import { createSuiteInfra } from '../support/suite-infra';
import { connectModels } from './support/gateway-harness';
import { storeSignals } from './support/fleet-seed';

const MINUTE = 60_000;
const at = (iso: string): number => Date.parse(iso);
/** `count` samples one second apart, moving north. */
const samples = (count: number, lat: number): Array<[number, number, number]> =>
  Array.from({ length: count }, (_, i) => [lat + i * 1e-5, 10, 5]);

describe('track reads by day, bounded by the device’s longest signal', () => {
  const disposables = new Disposables();
  let models: GatewayModels;

  beforeAll(async () => {
    const infra = await createSuiteInfra('gateway-track-days');
    disposables.add(infra, (i) => i.dispose());
    models = await connectModels(infra, disposables);
    await storeSignals(models, [
      // 20 minutes from 23:50 the day before: it reaches into a range that starts after midnight.
      { deviceId: 'span-dev', timeMs: at('2026-03-01T23:50:00Z'), samples: samples(1_200, 45) },
      { deviceId: 'span-dev', timeMs: at('2026-03-02T06:00:00Z'), samples: samples(60, 46) },
      // Long before the range: neither read keeps any of it.
      { deviceId: 'span-dev', timeMs: at('2026-02-20T12:00:00Z'), samples: samples(60, 47) },
    ]);
  });

  afterAll(() => disposables.disposeAll());

  it('keeps a signal that started the day before the range, as the read of the whole history does', async () => {
    const from = at('2026-03-02T00:05:00Z');
    const to = at('2026-03-02T07:00:00Z');
    const device = await models.devices.findOne({ _id: 'span-dev' }).lean();
    expect(device?.longestSignalSpanMs).toBe(1_199_000);

    const byDay = await readTrackPoints(
      { models, dayFields: new DayFieldReadiness(models.signals.db.db!, 0) },
      'span-dev',
      from,
      to,
    );
    const wholeHistory = await readTrackPoints(
      { models, dayFields: { ready: async () => false } as never },
      'span-dev',
      from,
      to,
    );

    expect(byDay).toEqual(wholeHistory);
    // 00:05:00..00:09:59 of the first signal, and all of the second.
    expect(byDay).toHaveLength(5 * 60 + 60);
    expect(byDay[0]?.time).toBe(from);
  });

  it('reads the whole history while a rollup write of the device is under way or unfinished', async () => {
    const db = models.signals.db.db!;
    const services = { models, dayFields: new DayFieldReadiness(db, 0) };
    const from = at('2026-03-02T00:05:00Z');
    const to = at('2026-03-02T07:00:00Z');
    // The span as it stands while a longer signal is stored but its rollups have not landed.
    await models.devices.collection.updateOne({ _id: 'span-dev' as never }, { $set: { longestSignalSpanMs: MINUTE } });
    // What the marker guards against: by day with that span, the signal from the day before is missed.
    expect(await readTrackPoints(services, 'span-dev', from, to)).toHaveLength(60);
    const marker = await db
      .collection(ROLLUP_REPAIRS_COLLECTION)
      .insertOne({ deviceIds: ['other-dev', 'span-dev'], since: new Date() } as never);
    try {
      expect(await readTrackPoints(services, 'span-dev', from, to)).toHaveLength(5 * 60 + 60);
    } finally {
      await db.collection(ROLLUP_REPAIRS_COLLECTION).deleteOne({ _id: marker.insertedId });
      await models.devices.collection.updateOne(
        { _id: 'span-dev' as never },
        { $set: { longestSignalSpanMs: 1_199_000 } },
      );
    }
  });

  it('gives devices stored before the span existed theirs once, never lowering a longer one', async () => {
    const db = models.signals.db.db!;
    await db.collection(MIGRATIONS_COLLECTION).deleteOne({ _id: SIGNAL_SPAN_MIGRATION as never });
    await models.devices.collection.updateOne({ _id: 'span-dev' as never }, { $unset: { longestSignalSpanMs: '' } });
    const readiness = new DayFieldReadiness(db, 0);
    expect(await readiness.ready(SIGNAL_SPAN_MIGRATION)).toBe(false);

    expect(await backfillLongestSignalSpans(db)).toBe(1);
    expect((await models.devices.findOne({ _id: 'span-dev' }).lean())?.longestSignalSpanMs).toBe(1_199_000);
    expect(await readiness.ready(SIGNAL_SPAN_MIGRATION)).toBe(true);
    // Once recorded, it does not run again.
    expect(await backfillLongestSignalSpans(db)).toBe(0);

    // `$max`: a longer span already recorded (by a signal stored meanwhile) stays.
    await db.collection(MIGRATIONS_COLLECTION).deleteOne({ _id: SIGNAL_SPAN_MIGRATION as never });
    await models.devices.collection.updateOne(
      { _id: 'span-dev' as never },
      { $set: { longestSignalSpanMs: 5 * MINUTE * 60 } },
    );
    await backfillLongestSignalSpans(db);
    expect((await models.devices.findOne({ _id: 'span-dev' }).lean())?.longestSignalSpanMs).toBe(5 * MINUTE * 60);
  });
});
