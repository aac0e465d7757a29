import type mongoose from 'mongoose';
import { RAW_DEAD_LETTER_QUEUE, RAW_QUEUE, RAW_RETRY_QUEUE } from '../../schema';
import type { RunningProcessor } from '../../processor/processor.service';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, TEST_HMAC_SECRET } from './support/processor-harness';
import { counterValue } from './support/processor-metrics';
import { rollupDifferences } from './support/rollup-invariant';
import { waitFor } from '../support/wait-for';

/** How long the database stays unreachable: the outage the retry schedule must ride out. */
const OUTAGE_MS = 20_000;

describe('processor during a database outage', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  let proxy: TcpProxy;
  let processor: RunningProcessor;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_db_outage'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    proxy = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    processor = disposables.add(await startTestProcessor(infra, { MONGO_URL: proxy.urlFor(infra.mongoUrl) }), (p) =>
      p.close(),
    );
  });

  afterAll(() => disposables.disposeAll());

  it('retries through a 20 s outage: nothing reaches the dead-letter queue, nothing is lost', async () => {
    let sent = 0;
    const send = async (count: number): Promise<void> => {
      const base = Date.UTC(2025, 6, 1);
      await Promise.all(
        Array.from({ length: count }, () => {
          const i = sent++;
          const deviceId = `outage-${i % 10}`;
          const body = Buffer.from(
            JSON.stringify({ [deviceId]: { time: base + i * 60_000, data: [[0, [45 + i * 1e-4, 7, 1]]] } }),
          );
          return broker.publishXRay(deviceId, body);
        }),
      );
    };
    const stored = () => db.collection('signals').countDocuments({});

    await send(100);
    await waitFor('the first messages stored', async () => (await stored()) === 100);

    proxy.cut();
    await send(100);
    await waitFor(
      'a retry scheduled',
      async () => (await counterValue(processor.url, 'xray_processor_retries_total')) > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)); // the outage itself, not a wait for a result
    await send(50);
    proxy.restore();
    await send(50);

    await waitFor('every message stored', async () => (await stored()) === 300, 90_000);
    await waitFor(
      'queues drained',
      async () => (await broker.messageCount(RAW_QUEUE)) + (await broker.messageCount(RAW_RETRY_QUEUE)) === 0,
    );
    expect(await broker.messageCount(RAW_DEAD_LETTER_QUEUE)).toBe(0);
    expect(await db.collection('signals').distinct('idempotencyKey')).toHaveLength(300);
    await waitFor(
      'rollups equal to a recomputation',
      async () => (await rollupDifferences(db.db as never)).length === 0,
    );
  }, 240_000);
});
