import type { Client } from 'graphql-ws';
import type { Redis } from 'ioredis';
import { ApiKeyRole } from '../../schema';
import { RevokeApiKeyDocument } from '../gql/graphql';
import { dataOf, execute, executeText } from '../gateway/support/gateway-harness';
import { Disposables } from '../support/disposables';
import type { SuiteInfra } from '../support/suite-infra';
import { waitFor } from '../support/wait-for';
import {
  LIVE_ADMIN_KEY,
  metricValue,
  startGatewayUnderTest,
  type GatewayUnderTest,
  type SuiteDatabase,
} from './support/gateway-under-test';
import { collect, connectLive } from './support/live-client';
import { startLiveStack } from './support/live-stack';
import { makeSignal, storeAndPublish } from './support/signal-fixtures';

jest.setTimeout(60_000);

/** Each test ends well before either gateway's sweep could matter where the test says it must not. */
const TEST_TIMEOUT_MS = 15_000;

const SIGNALS = 'subscription { signalProcessed { id } }';

interface CloseEventSeen {
  code: number;
  reason: string;
}

/** Resolves with the close event of `client`'s connection (register before causing it). */
function closeOf(client: Client): Promise<CloseEventSeen> {
  return new Promise((resolve) => {
    client.on('closed', (event) => {
      const { code, reason } = event as { code: number; reason: unknown };
      resolve({ code, reason: String(reason) });
    });
  });
}

describe('revoking the API key of open websocket connections', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: SuiteDatabase;
  let publisher: Redis;
  /** Key cache of 60 s, hence a sweep every 60 s: a close here within a test comes from the revocation itself. */
  let cachingGateway: GatewayUnderTest;
  /** No key cache: checks the key at each subscribe, and sweeps every second (the floor). */
  let otherReplica: GatewayUnderTest;

  beforeAll(async () => {
    ({
      infra,
      db,
      publisher,
      gateway: cachingGateway,
    } = await startLiveStack(disposables, 'gateway-live-revocation', {
      gatewayEnv: { GATEWAY_API_KEY_CACHE_TTL_MS: '60000' },
    }));
    otherReplica = disposables.add(await startGatewayUnderTest(infra), (g) => g.close());
  });
  afterAll(() => disposables.disposeAll());

  async function readerKey(name: string): Promise<{ id: string; key: string }> {
    return db.apiKeys.create(name, ApiKeyRole.READER);
  }

  async function revokeThrough(gateway: GatewayUnderTest, keyId: string): Promise<void> {
    const response = await execute(gateway.gateway.url, RevokeApiKeyDocument, { id: keyId }, LIVE_ADMIN_KEY);
    expect(dataOf(response).revokeApiKey).toBe(true);
  }

  async function publishSignal(deviceId: string): Promise<string> {
    const fixture = makeSignal(deviceId);
    await storeAndPublish(db.models.signals, publisher, infra.namespace, [fixture]);
    return fixture.event.signalId;
  }

  async function subscriptionsRunning(gateway: GatewayUnderTest, count: number): Promise<void> {
    await waitFor(
      `${count} running subscriptions`,
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === count,
    );
  }

  it(
    'closes a connection with 4403 as soon as its key is revoked on the same gateway, leaving other keys running',
    async () => {
      const doomedKey = await readerKey('revoked-while-open');
      const doomed = disposables.add(connectLive(cachingGateway.wsUrl, doomedKey.key), (c) => c.dispose());
      const other = disposables.add(connectLive(cachingGateway.wsUrl, (await readerKey('kept-open')).key), (c) =>
        c.dispose(),
      );
      const doomedClosed = closeOf(doomed);
      const doomedSignals = collect<{ signalProcessed: { id: string } }>(doomed, SIGNALS);
      const otherSignals = collect<{ signalProcessed: { id: string } }>(other, SIGNALS);
      await subscriptionsRunning(cachingGateway, 2);
      const connectionsBefore = await metricValue(cachingGateway.registry, 'gateway_ws_connections');
      const first = await publishSignal('revocation-1');
      expect((await doomedSignals.take(1)).map((r) => r.signalProcessed.id)).toEqual([first]);

      await revokeThrough(cachingGateway, doomedKey.id);
      expect(await doomedClosed).toEqual({ code: 4403, reason: 'API key revoked' });
      expect((await doomedSignals.failure()).length).toBeGreaterThan(0);
      // Its subscription ended on the gateway, the other one runs on.
      await subscriptionsRunning(cachingGateway, 1);
      await waitFor(
        'the revoked connection to be gone',
        async () => (await metricValue(cachingGateway.registry, 'gateway_ws_connections')) === connectionsBefore - 1,
      );

      const second = await publishSignal('revocation-1');
      expect((await otherSignals.take(2)).map((r) => r.signalProcessed.id)).toEqual([first, second]);
      expect(doomedSignals.received.map((r) => r.signalProcessed.id)).toEqual([first]);
      expect(other.closeCodes).toEqual([]);
      otherSignals.stop();
      await subscriptionsRunning(cachingGateway, 0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'closes connections on another replica with 4403 within its sweep, leaving other keys there running',
    async () => {
      const doomedKey = await readerKey('revoked-on-another-replica');
      const doomed = disposables.add(connectLive(otherReplica.wsUrl, doomedKey.key), (c) => c.dispose());
      const other = disposables.add(connectLive(otherReplica.wsUrl, (await readerKey('kept-on-replica')).key), (c) =>
        c.dispose(),
      );
      const doomedClosed = closeOf(doomed);
      const doomedSignals = collect<{ signalProcessed: { id: string } }>(doomed, SIGNALS);
      const otherSignals = collect<{ signalProcessed: { id: string } }>(other, SIGNALS);
      await subscriptionsRunning(otherReplica, 2);

      // Revoked through the first gateway: the replica holding the connections is not told.
      await revokeThrough(cachingGateway, doomedKey.id);
      expect(await doomedClosed).toEqual({ code: 4403, reason: 'API key revoked' });
      await subscriptionsRunning(otherReplica, 1);

      const signalId = await publishSignal('revocation-2');
      expect((await otherSignals.take(1)).map((r) => r.signalProcessed.id)).toEqual([signalId]);
      expect(doomedSignals.received).toEqual([]);
      expect(other.closeCodes).toEqual([]);
      otherSignals.stop();
      await subscriptionsRunning(otherReplica, 0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers an admin who revokes their own key over the websocket, then closes the connection with 4403',
    async () => {
      const selfKey = await db.apiKeys.create('revokes-itself', ApiKeyRole.ADMIN);
      const client = disposables.add(connectLive(cachingGateway.wsUrl, selfKey.key), (c) => c.dispose());
      const closed = closeOf(client);
      const revocation = collect<{ revokeApiKey: boolean }>(client, 'mutation ($id: ID!) { revokeApiKey(id: $id) }', {
        id: selfKey.id,
      });
      // The mutation's own answer arrives, complete, before the connection closes.
      expect(await revocation.settled()).toEqual([]);
      expect(revocation.received).toEqual([{ revokeApiKey: true }]);
      expect(await closed).toEqual({ code: 4403, reason: 'API key revoked' });
      expect((await executeText(cachingGateway.gateway.url, '{ me { name } }', {}, selfKey.key)).status).toBe(401);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses the next operation on an open connection whose key was revoked in the store, and closes it with 4403',
    async () => {
      const doomedKey = await readerKey('revoked-by-an-operator');
      const doomed = disposables.add(connectLive(otherReplica.wsUrl, doomedKey.key), (c) => c.dispose());
      const doomedClosed = closeOf(doomed);
      const before = collect<{ me: { name: string } }>(doomed, 'query { me { name } }');
      expect(await before.settled()).toEqual([]);
      expect(before.received).toEqual([{ me: { name: 'revoked-by-an-operator' } }]);

      // As the CLI does: straight in the store, no gateway is told.
      await db.apiKeys.revoke(doomedKey.id);
      const after = collect<{ me: { name: string } }>(doomed, 'query { me { name } }');
      expect((await after.failure()).length).toBeGreaterThan(0);
      expect(after.received).toEqual([]);
      expect(await doomedClosed).toEqual({ code: 4403, reason: 'API key revoked' });
      // HTTP refuses the key as well: both transports give the same answer.
      expect((await executeText(otherReplica.gateway.url, '{ me { name } }', {}, doomedKey.key)).status).toBe(401);
    },
    TEST_TIMEOUT_MS,
  );
});
