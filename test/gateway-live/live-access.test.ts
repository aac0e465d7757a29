import WebSocket from 'ws';
import { ApiKeyRole } from '../../schema';
import { Disposables } from '../support/disposables';
import type { SuiteInfra } from '../support/suite-infra';
import { closeCodeOfConnectionInit, collect, connectLive } from './support/live-client';
import {
  LIVE_ADMIN_KEY,
  metricValue,
  startGatewayUnderTest,
  type GatewayUnderTest,
  type SuiteDatabase,
} from './support/gateway-under-test';
import { startLiveStack } from './support/live-stack';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

describe('live access control', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let gateway: GatewayUnderTest;
  let db: SuiteDatabase;

  beforeAll(async () => {
    ({ infra, gateway, db } = await startLiveStack(disposables, 'gateway-live-access', {
      gatewayEnv: {
        GATEWAY_RATE_LIMIT_POINTS: '5',
        GATEWAY_WS_MAX_SUBSCRIPTIONS: '2',
        GATEWAY_MAX_DEPTH: '2',
        GATEWAY_MAX_COMPLEXITY: '6',
      },
    }));
  });
  afterAll(() => disposables.disposeAll());

  async function readerKey(name: string): Promise<string> {
    return (await db.apiKeys.create(name, ApiKeyRole.READER)).key;
  }

  it('closes the connection with 4403 when the API key is wrong', async () => {
    expect(await closeCodeOfConnectionInit(gateway.wsUrl, { apiKey: 'xk_not-a-key' })).toBe(4403);
  });

  it('closes the connection with 4403 when the API key is missing', async () => {
    expect(await closeCodeOfConnectionInit(gateway.wsUrl, {})).toBe(4403);
  });

  it('closes the connection with 4403 when the API key was revoked', async () => {
    const created = await db.apiKeys.create('revoked-live', ApiKeyRole.READER);
    await db.apiKeys.revoke(created.id);
    expect(await closeCodeOfConnectionInit(gateway.wsUrl, { apiKey: created.key })).toBe(4403);
  });

  it('refuses a too-deep subscription with QUERY_TOO_COMPLEX', async () => {
    const client = disposables.add(connectLive(gateway.wsUrl, await readerKey('deep')), (c) => c.dispose());
    const errors = await collect(client, 'subscription { signalProcessed { start { lat } } }').failure();
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', limit: 2 });
  });

  it('refuses a too-complex subscription with QUERY_TOO_COMPLEX', async () => {
    const client = disposables.add(connectLive(gateway.wsUrl, await readerKey('complex')), (c) => c.dispose());
    const errors = await collect(
      client,
      'subscription { signalProcessed { id deviceId time dataLength dataVolume ingestedAt } }',
    ).failure();
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'complexity', limit: 6 });
  });

  it('refuses an invalid document with BAD_USER_INPUT and keeps the connection', async () => {
    const client = disposables.add(connectLive(gateway.wsUrl, await readerKey('invalid')), (c) => c.dispose());
    const invalid = await collect(client, 'subscription { signalProcessed { noSuchField } }').failure();
    expect(invalid[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const syntax = await collect(client, 'subscription { signalProcessed { id }').failure();
    expect(syntax[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(client.closeCodes).toEqual([]);
  });

  it('answers subscribes over the rate limit with RATE_LIMITED, leaving other keys unaffected', async () => {
    const limitedKey = await readerKey('limited');
    const client = disposables.add(connectLive(gateway.wsUrl, limitedKey), (c) => c.dispose());
    // Five points per window: five short operations pass, the sixth is refused.
    for (let i = 0; i < 5; i += 1) {
      expect(await collect(client, 'query { me { id } }').settled()).toEqual([]);
    }
    const refused = await collect(client, 'subscription { signalProcessed { id } }').failure();
    expect(refused[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);

    const other = disposables.add(connectLive(gateway.wsUrl, await readerKey('unaffected')), (c) => c.dispose());
    const sub = collect(other, 'subscription { signalProcessed { id } }');
    await waitFor(
      'the other key to subscribe',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) >= 1,
    );
    sub.stop();
  });

  it('caps the operations running at once on one connection', async () => {
    const client = disposables.add(connectLive(gateway.wsUrl, await readerKey('capped')), (c) => c.dispose());
    const before = await metricValue(gateway.registry, 'gateway_ws_active_subscriptions');
    const first = collect(client, 'subscription { signalProcessed { id } }');
    collect(client, 'subscription { devicePosition { deviceId } }');
    await waitFor(
      'two running subscriptions',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) >= before + 2,
    );
    const third = await collect(client, 'subscription { signalProcessed { id } }').failure();
    expect(third[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', limit: 2 });
    first.stop();
    await waitFor(
      'one subscription completed',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === before + 1,
    );
    const replacement = collect(client, 'subscription { signalProcessed { id } }');
    await waitFor(
      'the replacement to run',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === before + 2,
    );
    replacement.stop();
    expect(client.closeCodes).toEqual([]);
  });

  it('admits a burst of subscribes up to the limit and refuses only the excess', async () => {
    const socket = disposables.add(new WebSocket(gateway.wsUrl, 'graphql-transport-ws'), (s) => s.terminate());
    const messages: Array<{ id?: string; type: string; payload?: Array<{ extensions?: { code?: string } }> }> = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: await readerKey('burst') } }));
    await waitFor('connection_ack', async () => messages.some((m) => m.type === 'connection_ack'));
    const before = await metricValue(gateway.registry, 'gateway_ws_active_subscriptions');
    // One write each, all in one turn: graphql-ws registers the five before the first is checked.
    for (let i = 0; i < 5; i += 1) {
      socket.send(
        JSON.stringify({
          id: `burst-${i}`,
          type: 'subscribe',
          payload: { query: 'subscription { signalProcessed { id } }' },
        }),
      );
    }
    await waitFor('three refusals', async () => messages.filter((m) => m.type === 'error').length >= 3);
    await waitFor(
      'two running subscriptions',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === before + 2,
    );
    const refusals = messages.filter((m) => m.type === 'error');
    expect(refusals).toHaveLength(3);
    expect(refusals.map((m) => m.payload?.[0]?.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);

    // Completing both and subscribing three more in the same breath: the completed ones' slots are
    // free at once, so two of the three run and only the third is refused.
    const refusedIds = new Set(refusals.map((m) => m.id));
    const running = Array.from({ length: 5 }, (_, i) => `burst-${i}`).filter((id) => !refusedIds.has(id));
    for (const id of running) socket.send(JSON.stringify({ id, type: 'complete' }));
    for (const id of ['again-0', 'again-1', 'again-2']) {
      socket.send(
        JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { signalProcessed { id } }' } }),
      );
    }
    await waitFor('the refusal of the third', async () =>
      messages.some((m) => m.id === 'again-2' && m.type === 'error'),
    );
    await waitFor(
      'two running subscriptions again',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === before + 2,
    );
    expect(messages.filter((m) => m.id?.startsWith('again-')).map((m) => `${m.id} ${m.type}`)).toEqual([
      'again-2 error',
    ]);
  });

  it('closes a connection that sends a message over 64 KiB with 1009', async () => {
    const socket = disposables.add(new WebSocket(gateway.wsUrl, 'graphql-transport-ws'), (s) => s.terminate());
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: LIVE_ADMIN_KEY } }));
    await new Promise((resolve) => socket.once('message', resolve));
    const padding = ' '.repeat(65 * 1024);
    socket.send(
      JSON.stringify({
        id: 'big',
        type: 'subscribe',
        payload: { query: `subscription {${padding} signalProcessed { id } }` },
      }),
    );
    expect(await closed).toBe(1009);
  });

  it('closes its sockets with 1001 when the gateway shuts down', async () => {
    const other = await startGatewayUnderTest(infra);
    const client = connectLive(other.wsUrl, LIVE_ADMIN_KEY);
    const sub = collect(client, 'subscription { signalProcessed { id } }');
    await waitFor(
      'the subscription',
      async () => (await metricValue(other.registry, 'gateway_live_open_streams')) === 1,
    );
    await other.close();
    await waitFor('the close event', () => client.closeCodes.length > 0);
    expect(client.closeCodes).toEqual([1001]);
    expect(await metricValue(other.registry, 'gateway_live_open_streams')).toBe(0);
    sub.stop();
    await client.dispose();
  });

  it('answers a subscription sent over HTTP with BAD_USER_INPUT', async () => {
    const response = await fetch(gateway.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': await readerKey('over-http') },
      body: JSON.stringify({ query: 'subscription { signalProcessed { id } }' }),
    });
    const body = (await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/websocket/);
  });
});
