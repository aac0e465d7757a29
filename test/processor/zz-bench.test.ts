import type mongoose from 'mongoose';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, TEST_HMAC_SECRET } from './support/processor-harness';
import { waitFor } from './support/wait-for';

describe('bench', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('bench'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
  });
  afterAll(() => disposables.disposeAll());
  it('bench', async () => {
    const N = 1000;
    const base = Date.UTC(2025, 5, 1, 8);
    await Promise.all(Array.from({ length: N }, (_, i) => {
      const deviceId = `b-${i % 25}`;
      const body = Buffer.from(JSON.stringify({ [deviceId]: { time: base + i * 61_000, data: [[0, [50, 10, 1]], [1000, [50.00001, 10, 2]]] } }));
      return broker.publishXRay(deviceId, body);
    }));
    const t0 = Date.now();
    disposables.add(await startTestProcessor(infra, { PROCESSOR_PREFETCH: '128' }), (p) => p.close());
    await waitFor('all', async () => (await db.collection('signals').countDocuments({})) === N, 200_000);
    console.log('rate', N / ((Date.now() - t0) / 1000));
  }, 300_000);
});
