import type mongoose from 'mongoose';
import { RAW_DEAD_LETTER_QUEUE, RAW_QUEUE } from '../../schema';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { killProcessor, spawnProcessor } from './support/child-processor';
import { connectSuiteDb, processorEnvFor, TEST_HMAC_SECRET } from './support/processor-harness';
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
});
