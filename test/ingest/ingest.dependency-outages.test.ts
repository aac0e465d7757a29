import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { postSignedXRay } from '../../ingest/simulator/signed-xray.client';
import { RAW_QUEUE } from '../../schema';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy } from '../support/tcp-proxy';
import { RawQueueReader, TEST_FLEET_SECRET, ingestConfigFor, startTestIngest } from './ingest.harness';
import { eventually, waitFor } from '../support/wait-for';

interface ErrorBody {
  error: { code: string };
}

function messageFor(deviceId: string): Buffer {
  return Buffer.from(JSON.stringify({ [deviceId]: { data: [[0, [40.71, -74.0, 3.2]]], time: Date.now() - 60_000 } }));
}

// Jest ignores a per-project testTimeout; these tests wait for reconnects and the real broker.
jest.setTimeout(90_000);

describe('ingest when a dependency is missing or it shuts down', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let queue: RawQueueReader;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('ingest-deps'), (i) => i.dispose());
    queue = disposables.add(await RawQueueReader.open(infra.amqpUrl), (q) => q.close());
  });

  afterAll(() => disposables.disposeAll());

  it('starts while the broker is unreachable, refuses with 503 and accepts once the broker appears', async () => {
    const proxy = disposables.add(await startTcpProxy(infra.amqpUrl), (p) => p.close());
    proxy.cut();
    const ingest = disposables.add(
      await startTestIngest(ingestConfigFor(infra, { amqpUrl: proxy.urlFor(infra.amqpUrl), startupWaitMs: 200 })),
      (s) => s.close(),
    );
    const send = () =>
      postSignedXRay(ingest.url, {
        fleetSecret: TEST_FLEET_SECRET,
        deviceId: 'late-broker',
        body: messageFor('late-broker'),
      });

    const refused = await send();
    expect(refused.status).toBe(503);
    expect((refused.body as ErrorBody).error.code).toBe('BROKER_UNAVAILABLE');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${ingest.url}/readyz`)).status).toBe(503);

    proxy.restore();
    const accepted = await eventually(
      async () => {
        const answer = await send();
        return answer.status === 202 ? answer : undefined;
      },
      20_000,
      'a 202 once the broker is reachable',
    );
    await queue.waitFor((accepted.body as { messageId: string }).messageId);
    expect((await fetch(`${ingest.url}/readyz`)).status).toBe(200);
  });

  it('answers 503 while Redis is unreachable and accepts again once it is back', async () => {
    const proxy = disposables.add(await startTcpProxy(infra.redisUrl), (p) => p.close());
    const ingest = disposables.add(
      await startTestIngest(ingestConfigFor(infra, { redisUrl: proxy.urlFor(infra.redisUrl) })),
      (s) => s.close(),
    );
    const send = (nonce?: string) =>
      postSignedXRay(ingest.url, {
        fleetSecret: TEST_FLEET_SECRET,
        deviceId: 'redis-outage',
        body: messageFor('redis-outage'),
        nonce,
      });
    expect((await send()).status).toBe(202);

    proxy.cut();
    const refused = await eventually(
      async () => {
        const answer = await send();
        return answer.status === 503 ? answer : undefined;
      },
      10_000,
      'a 503 while Redis is cut off',
    );
    expect((refused.body as ErrorBody).error.code).toBe('DEPENDENCY_UNAVAILABLE');
    const readiness = (await (await fetch(`${ingest.url}/readyz`)).json()) as { dependencies: { redis: string } };
    expect(readiness.dependencies.redis).not.toBe('ok');

    proxy.restore();
    await eventually(
      async () => ((await send(`after-redis-${randomUUID()}`)).status === 202 ? true : undefined),
      20_000,
      'a 202 once Redis is back',
    );
  });

  it('finishes the publishes in flight when it closes, and every 202 it gave is in the queue', async () => {
    const broker = disposables.add(await startTcpProxy(infra.amqpUrl), (p) => p.close());
    const ingest = await startTestIngest(ingestConfigFor(infra, { amqpUrl: broker.urlFor(infra.amqpUrl) }));
    const direct = disposables.add(await connect(infra.amqpUrl), (c) => c.close());
    const channel = await direct.createChannel();
    const queued = async (): Promise<number> => (await channel.checkQueue(RAW_QUEUE)).messageCount;
    let closing = false;
    const send = (i: number) =>
      postSignedXRay(ingest.url, {
        fleetSecret: TEST_FLEET_SECRET,
        deviceId: `closing-${i % 4}`,
        body: messageFor(`closing-${i % 4}`),
      }).then((answer) => ({
        status: answer.status,
        messageId: (answer.body as { messageId?: string }).messageId,
        answeredWhileClosing: closing,
      }));
    expect((await send(0)).status).toBe(202);
    await queue.drain();

    // The broker takes the publishes in but its confirms are held: every request is in flight.
    broker.holdAnswers();
    const requests = Array.from({ length: 10 }, (_, i) => send(i + 1));
    await waitFor('the publishes at the broker, unconfirmed', async () => (await queued()) === 10);
    closing = true;
    const closed = ingest.close();
    broker.restore();
    await closed;
    const outcomes = await Promise.all(requests);

    expect(outcomes.map((o) => [o.status, o.answeredWhileClosing])).toEqual(Array(10).fill([202, true]));
    const queuedIds = new Set((await queue.drain()).map((m) => m.properties.messageId as string));
    expect(outcomes.filter((o) => !queuedIds.has(o.messageId as string))).toEqual([]);
  });
});
