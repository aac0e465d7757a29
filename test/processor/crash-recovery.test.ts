import type mongoose from 'mongoose';
import { positionCorrectionsChannelFor, RAW_DEAD_LETTER_QUEUE, RAW_QUEUE } from '../../schema';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { killProcessor, spawnProcessor } from './support/child-processor';
import {
  connectSuiteDb,
  processorEnvFor,
  startTestProcessor,
  subscribeEvents,
  TEST_HMAC_SECRET,
} from './support/processor-harness';
import { rollupDifferences } from './support/rollup-invariant';
import { waitFor } from '../support/wait-for';

const MESSAGES = 2_000;
const DEVICES = 25;

describe('processor crash recovery', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_crash'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
  });

  afterAll(() => disposables.disposeAll());

  it('stores every confirmed message exactly once across a SIGKILL mid-run, with exact rollups', async () => {
    const base = Date.UTC(2025, 5, 1, 8);
    const confirmed = await Promise.all(
      Array.from({ length: MESSAGES }, (_, i) => {
        const deviceId = `crash-${i % DEVICES}`;
        const time = base + i * 61_000;
        const lat = 50 + (i % 100) * 1e-4;
        const body = Buffer.from(
          JSON.stringify({
            [deviceId]: {
              time,
              data: [
                [0, [lat, 10, i % 7]],
                [1000, [lat + 1e-5, 10, (i % 5) + 1]],
              ],
            },
          }),
        );
        return broker.publishXRay(deviceId, body);
      }),
    );
    expect(confirmed).toHaveLength(MESSAGES);

    const env = processorEnvFor(infra, { PROCESSOR_PREFETCH: '128' });
    const signals = () => db.collection('signals').countDocuments({});
    const first = disposables.add(spawnProcessor(env), killProcessor);
    await first.started;
    await waitFor('some messages stored', async () => (await signals()) >= 200, 60_000);
    first.process.kill('SIGKILL');
    await first.exited;
    const storedAtKill = await signals();
    expect(storedAtKill).toBeLessThan(MESSAGES);

    const second = disposables.add(spawnProcessor(env), killProcessor);
    await second.started;
    await waitFor('every message stored', async () => (await signals()) === MESSAGES, 120_000);
    await waitFor('the queue drained', async () => (await broker.messageCount(RAW_QUEUE)) === 0, 30_000);
    await waitFor(
      'rollups equal to a recomputation',
      async () => (await rollupDifferences(db.db as never)).length === 0,
      30_000,
    );

    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const keys = await db.collection('signals').distinct('idempotencyKey');
    expect(keys).toHaveLength(MESSAGES);
    expect(await db.collection('signals').countDocuments({})).toBe(MESSAGES);
    expect(await broker.messageCount(RAW_DEAD_LETTER_QUEUE)).toBe(0);
    expect(await db.collection('devices').countDocuments({})).toBe(DEVICES);
    expect(await rollupDifferences(db.db as never)).toEqual([]);
  }, 300_000);

  it('starts and repairs every other device when one device cannot be recomputed, leaving that one marked', async () => {
    const deviceBody = (deviceId: string, time: number) =>
      Buffer.from(JSON.stringify({ [deviceId]: { time, data: [[0, [48.1, 11.5, 3]]] } }));
    await broker.publishXRay('repair-fine', deviceBody('repair-fine', Date.UTC(2025, 6, 1, 8)));
    const first = await startTestProcessor(infra);
    await waitFor(
      'the signal stored',
      async () => (await db.collection('devices').countDocuments({ _id: 'repair-fine' as never })) === 1,
    );
    await first.close();

    // As a crash between a signal's write and its rollups leaves it: pending, not counted.
    const fine = await db.collection('signals').findOne({ deviceId: 'repair-fine' });
    await db.collection('signals').updateOne({ _id: fine?._id }, { $set: { rollupState: 'pending' } });
    await db.collection('devices').deleteOne({ _id: 'repair-fine' as never });
    // And a device whose stored signal cannot be counted at all (no stats).
    const { _id: _fineId, stats: _stats, ...rest } = fine as Record<string, unknown>;
    await db.collection('signals').insertOne({
      ...rest,
      deviceId: 'repair-broken',
      idempotencyKey: 'repair-broken-key',
      rollupState: 'pending',
    });

    const corrections = disposables.add(
      await subscribeEvents(infra.redisUrl, [positionCorrectionsChannelFor(infra.namespace)]),
      (s) => s.close(),
    );
    const second = disposables.add(await startTestProcessor(infra), (p) => p.close());
    expect(second.url).toBeDefined();
    // The repaired device's position may have moved: live maps are told to read it again.
    await waitFor('the repaired position announced', () => corrections.received.length > 0);
    expect(corrections.received.map((r) => r.event)).toEqual([{ deviceId: 'repair-fine' }]);
    expect(await db.collection('devices').findOne({ _id: 'repair-fine' as never })).toMatchObject({ signalCount: 1 });
    expect(await db.collection('signals').findOne({ deviceId: 'repair-fine' })).toMatchObject({
      rollupState: 'applied',
    });
    expect(await db.collection('rollup_repairs').find({ deviceIds: 'repair-broken' }).toArray()).toHaveLength(1);
    expect(await db.collection('rollup_repairs').countDocuments({ deviceIds: 'repair-fine' })).toBe(0);
  });
});
