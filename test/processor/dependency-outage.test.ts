import type mongoose from 'mongoose';
import { allSignalsChannelFor, RAW_DEAD_LETTER_QUEUE, RAW_QUEUE, RAW_RETRY_QUEUE } from '../../schema';
import type { RunningProcessor } from '../../processor/processor.service';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, subscribeEvents, TEST_HMAC_SECRET } from './support/processor-harness';
import { counterValue } from './support/processor-metrics';

jest.setTimeout(120_000);

/** Two attempts 100 ms apart: the whole retry schedule is far shorter than the outage below. */
const RETRY = { PROCESSOR_RETRY_BASE_DELAY_MS: '100', PROCESSOR_MAX_ATTEMPTS: '2' };

describe('processor while Redis is down for longer than its retry schedule', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  let redisProxy: TcpProxy;
  let processor: RunningProcessor;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_redis_outage'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    redisProxy = disposables.add(await startTcpProxy(infra.redisUrl), (p) => p.close());
    processor = disposables.add(
      await startTestProcessor(infra, { ...RETRY, REDIS_URL: redisProxy.urlFor(infra.redisUrl) }),
      (p) => p.close(),
    );
  });
  afterAll(() => disposables.disposeAll());

  it('holds messages instead of dead-lettering them, and stores each once and announces every one when Redis is back', async () => {
    const events = disposables.add(
      await subscribeEvents(infra.redisUrl, [allSignalsChannelFor(infra.namespace)]),
      (s) => s.close(),
    );
    let sent = 0;
    const send = (count: number): Promise<string[]> =>
      Promise.all(
        Array.from({ length: count }, () => {
          const i = sent++;
          const deviceId = `redis-outage-${i % 5}`;
          const body = { [deviceId]: { time: Date.UTC(2025, 7, 1) + i * 60_000, data: [[0, [45 + i * 1e-4, 7, 1]]] } };
          return broker.publishXRay(deviceId, Buffer.from(JSON.stringify(body)));
        }),
      );
    const stored = () => db.collection('signals').countDocuments({});
    const held = () => counterValue(processor.url, 'xray_processor_held_for_outage_total');

    await send(10);
    await waitFor('the first messages announced', () => events.received.length === 10);

    redisProxy.cut();
    await send(20);
    // Every one of the 20 spent its two attempts and was held, twice over: far past the schedule.
    await waitFor('the messages held through the outage', async () => (await held()) >= 40, 60_000);
    expect(await broker.messageCount(RAW_DEAD_LETTER_QUEUE)).toBe(0);
    redisProxy.restore();

    await waitFor('every message announced', () => events.received.length >= 30, 60_000);
    await waitFor(
      'queues drained',
      async () => (await broker.messageCount(RAW_QUEUE)) + (await broker.messageCount(RAW_RETRY_QUEUE)) === 0,
    );
    expect(await broker.messageCount(RAW_DEAD_LETTER_QUEUE)).toBe(0);
    expect(await stored()).toBe(30);
    const announced = new Set(events.received.map((r) => r.event.signalId));
    expect(announced.size).toBe(30);
  });
});
