import type { Redis } from 'ioredis';
import { Disposables } from '../support/disposables';
import type { SuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { LIVE_ADMIN_KEY, metricValue, type GatewayUnderTest, type SuiteDatabase } from './support/gateway-under-test';
import { startLiveStack } from './support/live-stack';
import { collect, connectLive } from './support/live-client';
import { makeSignal, storeAndPublish } from './support/signal-fixtures';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

describe('live subscriptions across a Redis outage', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: SuiteDatabase;
  let proxy: TcpProxy;
  let gateway: GatewayUnderTest;
  let publisher: Redis;

  beforeAll(async () => {
    // Only the gateway reaches Redis through the proxy. The publisher (the processor's connection)
    // stays up: it publishes to nobody while the gateway is cut off.
    ({ infra, db, gateway, publisher } = await startLiveStack(disposables, 'gateway-live-gap', {
      gatewayEnv: async (suiteInfra) => {
        proxy = disposables.add(await startTcpProxy(suiteInfra.redisUrl), (p) => p.close());
        return { REDIS_URL: proxy.urlFor(suiteInfra.redisUrl) };
      },
    }));
  });
  afterAll(() => disposables.disposeAll());

  it('delivers the signals published while its Redis connection was down, once each', async () => {
    const client = disposables.add(connectLive(gateway.wsUrl, LIVE_ADMIN_KEY), (c) => c.dispose());
    const sub = collect<{ signalProcessed: { id: string } }>(
      client,
      'subscription { signalProcessed(deviceIds: ["gap-1"]) { id } }',
    );
    await waitFor(
      'the subscription',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === 1,
    );
    const before = makeSignal('gap-1');
    await storeAndPublish(db.models.signals, publisher, infra.namespace, [before]);
    await sub.take(1);

    proxy.cut();
    const channel = `${infra.namespace}:signal-processed:gap-1`;
    await waitFor(
      'the gateway to leave the channel',
      async () => ((await publisher.pubsub('NUMSUB', channel)) as Array<string | number>)[1] === 0,
    );
    const during = [makeSignal('gap-1'), makeSignal('gap-1'), makeSignal('gap-1')];
    await storeAndPublish(db.models.signals, publisher, infra.namespace, during);
    proxy.restore();

    await waitFor(
      'the gateway to subscribe again',
      async () => ((await publisher.pubsub('NUMSUB', channel)) as Array<string | number>)[1] === 1,
    );
    const after = makeSignal('gap-1');
    await storeAndPublish(db.models.signals, publisher, infra.namespace, [after]);
    const received = (await sub.take(5, 30_000)).map((r) => r.signalProcessed.id);
    expect(received).toEqual([before, ...during, after].map((f) => f.event.signalId));
    sub.stop();
  });
});
