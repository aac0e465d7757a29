import type mongoose from 'mongoose';
import { MIGRATIONS_COLLECTION } from '../../schema';
import { ANTIMERIDIAN_BBOX_MIGRATION } from '../../processor/antimeridian-bbox.backfill';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { waitFor } from '../support/wait-for';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, TEST_HMAC_SECRET } from './support/processor-harness';

describe('backfill of bounding boxes across the antimeridian', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_bbox_backfill'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
  });
  afterAll(() => disposables.disposeAll());

  const send = (deviceId: string, lons: number[]) =>
    broker.publishXRay(
      deviceId,
      Buffer.from(
        JSON.stringify({
          [deviceId]: { time: Date.UTC(2025, 7, 1, 6), data: lons.map((lon, i) => [i * 5_000, [0, lon, 1]]) },
        }),
      ),
    );

  it('gives signals stored with a world-wide box the short one, once, and leaves wide plain tracks alone', async () => {
    const first = await startTestProcessor(infra, { PROCESSOR_MAX_SPEED_KMH: '100000000' });
    await send('bbox-crossing', [179.9985, 179.9995, -179.9995, -179.9985]);
    await send('bbox-wide', [-100, 0, 100]);
    await waitFor('both stored', async () => (await db.collection('signals').countDocuments({})) === 2);
    await first.close();

    // As a version before the short boxes stored the crossing track.
    await db
      .collection('signals')
      .updateOne(
        { deviceId: 'bbox-crossing' },
        { $set: { 'bbox.minLon': -179.9995, 'bbox.maxLon': 179.9995 }, $unset: { 'bbox.crossesAntimeridian': '' } },
      );
    await db.collection(MIGRATIONS_COLLECTION).deleteOne({ _id: ANTIMERIDIAN_BBOX_MIGRATION as never });
    const wideBefore = await db.collection('signals').findOne({ deviceId: 'bbox-wide' });

    disposables.add(await startTestProcessor(infra), (p) => p.close());

    expect((await db.collection('signals').findOne({ deviceId: 'bbox-crossing' }))?.bbox).toEqual({
      minLat: 0,
      maxLat: 0,
      minLon: 179.9985,
      maxLon: -179.9985,
      crossesAntimeridian: true,
    });
    expect(await db.collection('signals').findOne({ deviceId: 'bbox-wide' })).toEqual(wideBefore);
    expect(
      await db.collection(MIGRATIONS_COLLECTION).countDocuments({ _id: ANTIMERIDIAN_BBOX_MIGRATION as never }),
    ).toBe(1);
  });
});
