import { connect, type ChannelModel } from 'amqplib';
import type mongoose from 'mongoose';
import { RAW_QUEUE } from '../../schema';
import type { RunningProcessor } from '../../processor/processor.service';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { waitFor } from '../support/wait-for';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, TEST_HMAC_SECRET } from './support/processor-harness';

jest.setTimeout(60_000);

describe('processor whose consumer the broker cancels', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  let processor: RunningProcessor;
  let inspector: ChannelModel;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_consumer_cancelled'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    processor = disposables.add(await startTestProcessor(infra), (p) => p.close());
    inspector = disposables.add(await connect(infra.amqpUrl), (c) => c.close());
  });
  afterAll(() => disposables.disposeAll());

  /** Consumers of the raw queue; a channel per look, since asking after a missing queue closes it. */
  const consumers = async (): Promise<number> => {
    const channel = await inspector.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(RAW_QUEUE)).consumerCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  };
  const publish = (deviceId: string): Promise<string> =>
    broker.publishXRay(
      deviceId,
      Buffer.from(JSON.stringify({ [deviceId]: { time: Date.UTC(2025, 7, 1), data: [[0, [45, 7, 1]]] } })),
    );

  it('declares its queue again and consumes from it when the queue was deleted', async () => {
    await publish('cancelled-before');
    await waitFor('the first message stored', async () => (await db.collection('signals').countDocuments({})) === 1);

    // Deleting a queue cancels its consumers: amqplib hands the consumer a null message.
    await broker.channel.deleteQueue(RAW_QUEUE);
    await waitFor('the processor consuming the raw queue again', async () => (await consumers()) === 1);

    await publish('cancelled-after');
    await waitFor(
      'the message sent after the deletion stored',
      async () => (await db.collection('signals').countDocuments({ deviceId: 'cancelled-after' })) === 1,
    );
    expect((await fetch(`${processor.url}/readyz`)).status).toBe(200);
  });
});
