import type { Redis } from 'ioredis';
import { Disposables } from '../support/disposables';
import type { SuiteInfra } from '../support/suite-infra';
import { LIVE_ADMIN_KEY, metricValue, type GatewayUnderTest, type SuiteDatabase } from './support/gateway-under-test';
import { startLiveStack } from './support/live-stack';
import { collect, connectLive } from './support/live-client';
import { makeSignal, storeAndPublish } from './support/signal-fixtures';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

describe('live subscriptions across gateway replicas', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: SuiteDatabase;
  let gateways: GatewayUnderTest[];
  let publisher: Redis;

  beforeAll(async () => {
    ({ infra, db, gateways, publisher } = await startLiveStack(disposables, 'gateway-live-replicas', { gateways: 2 }));
  });
  afterAll(() => disposables.disposeAll());

  it('delivers every event to subscribers on each of two gateways sharing one Redis', async () => {
    const subscriptions = gateways.flatMap((gateway) => {
      const client = disposables.add(connectLive(gateway.wsUrl, LIVE_ADMIN_KEY), (c) => c.dispose());
      // Two subscribers per gateway share one Redis subscription there.
      return [
        collect<{ signalProcessed: { id: string } }>(client, 'subscription { signalProcessed { id } }'),
        collect<{ signalProcessed: { id: string } }>(
          client,
          'subscription { signalProcessed(deviceIds: ["replica-1"]) { id } }',
        ),
      ];
    });
    for (const gateway of gateways) {
      await waitFor(
        'both subscriptions on the gateway',
        async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === 2,
      );
    }
    // One SUBSCRIBE per channel per gateway: two subscribers on each channel, one per gateway.
    const numsub = (await publisher.pubsub(
      'NUMSUB',
      `${infra.namespace}:signal-processed`,
      `${infra.namespace}:signal-processed:replica-1`,
    )) as Array<string | number>;
    expect(numsub.map(String)).toEqual([
      `${infra.namespace}:signal-processed`,
      '2',
      `${infra.namespace}:signal-processed:replica-1`,
      '2',
    ]);

    const fixtures = Array.from({ length: 6 }, (_, i) => makeSignal(i % 2 === 0 ? 'replica-1' : 'replica-2'));
    await storeAndPublish(db.models.signals, publisher, infra.namespace, fixtures);
    const all = fixtures.map((f) => f.event.signalId);
    const device1 = fixtures.filter((f) => f.event.deviceId === 'replica-1').map((f) => f.event.signalId);
    const [allOnFirst, device1OnFirst, allOnSecond, device1OnSecond] = subscriptions;
    expect((await allOnFirst?.take(6))?.map((r) => r.signalProcessed.id)).toEqual(all);
    expect((await allOnSecond?.take(6))?.map((r) => r.signalProcessed.id)).toEqual(all);
    expect((await device1OnFirst?.take(3))?.map((r) => r.signalProcessed.id)).toEqual(device1);
    expect((await device1OnSecond?.take(3))?.map((r) => r.signalProcessed.id)).toEqual(device1);
    for (const subscription of subscriptions) subscription.stop();
  });
});
