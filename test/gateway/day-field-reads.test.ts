import { backfillDayFields } from '../../processor/day-field.backfill';
import { DayFieldReadiness } from '../../gateway/db/day-field-readiness';
import type { GatewayModels } from '../../gateway/db/gateway-models';
import { SignalOrder } from '../../gateway/signals/signal-order.enum';
import { readSignalPage } from '../../gateway/signals/signal-page.reader';
import { validateSignalFilter } from '../../gateway/signals/signal-query';
import { readHourBuckets } from '../../gateway/stats/hour-bucket.reader';
import { Disposables } from '../support/disposables';
import { createSuiteInfra } from '../support/suite-infra';
import { connectModels } from './support/gateway-harness';
import { signalDocument } from './support/fleet-seed';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1, 20);

describe('reads by day before and after the day backfill', () => {
  const disposables = new Disposables();
  let models: GatewayModels;

  beforeAll(async () => {
    const infra = await createSuiteInfra('gateway-day-field');
    disposables.add(infra, (i) => i.dispose());
    models = await connectModels(infra, disposables);
  });

  afterAll(() => disposables.disposeAll());

  it('reads documents stored without `day` by range until the backfill has run, then by day, with the same answers', async () => {
    // Stored by an earlier version: no `day` on signals nor buckets, no migration record.
    const signals = Array.from({ length: 6 }, (_, i) =>
      signalDocument({ deviceId: 'old-dev', timeMs: T0 + i * HOUR, samples: [[1, 2, 3]] }),
    );
    await models.signals.collection.insertMany(signals.map(({ day: _day, ...legacy }) => legacy) as never[]);
    await models.hourBuckets.collection.insertMany(
      signals.map((s) => ({
        _id: `old-dev|${s.time.toISOString()}`,
        deviceId: 'old-dev',
        hourStart: s.time,
        count: 1,
        dataVolume: 1,
        distanceMeters: 0,
        maxSpeed: 3,
        speedSum: 3,
        sampleCount: 1,
      })) as never[],
    );
    const readiness = new DayFieldReadiness(models.signals.db.db!, 0);
    const filter = validateSignalFilter({ deviceIds: ['old-dev'], from: new Date(T0), to: new Date(T0 + 6 * HOUR) });
    const page = { direction: 'forward' as const, size: 10, cursor: undefined };
    const read = async () => ({
      signals: (await readSignalPage(models, filter, SignalOrder.TIME_ASC, page, readiness)).edges.map((e) =>
        e.node._id.toHexString(),
      ),
      buckets: (await readHourBuckets(models, 'old-dev', T0, T0 + 6 * HOUR, readiness)).length,
    });
    // Reads by day whether or not the backfill has run, to show what the readiness guards against.
    const alwaysByDay = { ready: async () => true };
    const expected = { signals: signals.map((s) => s._id.toHexString()), buckets: 6 };

    expect(await read()).toEqual(expected);
    // Read by day now, these documents would be missed: that is what the readiness guards.
    expect(await readHourBuckets(models, 'old-dev', T0, T0 + 6 * HOUR, alwaysByDay)).toHaveLength(0);

    expect(await backfillDayFields(models.signals.db.db!)).toBe(12);
    expect(await read()).toEqual(expected);
    expect(await readHourBuckets(models, 'old-dev', T0, T0 + 6 * HOUR, alwaysByDay)).toHaveLength(6);
  });
});
