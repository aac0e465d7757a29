import { allSignalsChannelFor } from '../../schema';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { startTestProcessor, subscribeEvents, TEST_HMAC_SECRET } from './support/processor-harness';
import { waitFor } from '../support/wait-for';

const MESSAGES = 400;

describe('processor event order', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_event_order'), (i) => i.dispose());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
  });

  afterAll(() => disposables.disposeAll());

  // `signalProcessed(since)` replays in ObjectId order; live events must arrive in that order too,
  // or a client resuming from the last id it saw would get a repeat or miss a signal.
  it('publishes the events of a backlog in the order of their signal ids, with batches in flight', async () => {
    const base = Date.UTC(2025, 7, 1);
    await Promise.all(
      Array.from({ length: MESSAGES }, (_, i) => {
        const deviceId = `order-${i % 7}`;
        const body = Buffer.from(
          JSON.stringify({ [deviceId]: { time: base + i * 60_000, data: [[0, [45 + i * 1e-4, 7, 1]]] } }),
        );
        return broker.publishXRay(deviceId, body);
      }),
    );
    const events = disposables.add(
      await subscribeEvents(infra.redisUrl, [allSignalsChannelFor(infra.namespace)]),
      (s) => s.close(),
    );
    // Started after the backlog is queued, so full batches run concurrently from the first delivery.
    disposables.add(await startTestProcessor(infra), (p) => p.close());

    await waitFor('every event published', () => events.received.length >= MESSAGES, 90_000);
    const ids = events.received.map(({ event }) => String(event.signalId));
    expect(new Set(ids).size).toBe(MESSAGES);
    const outOfOrder = ids.filter((id, i) => i > 0 && id <= (ids[i - 1] as string));
    expect(outOfOrder).toEqual([]);
  });
});
