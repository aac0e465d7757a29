import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { Disposables } from '../support/disposables';
import type { SuiteInfra } from '../support/suite-infra';
import { LIVE_ADMIN_KEY, metricValue, type GatewayUnderTest, type SuiteDatabase } from './support/gateway-under-test';
import { startLiveStack } from './support/live-stack';
import { makeSignal, storeAndPublish, type SignalFixture } from './support/signal-fixtures';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const BUFFER_CAP = 16;
const DEVICES = ['slow-1', 'slow-2', 'slow-3'];
/** 200 aliased boxes make each event ~15 KB, so a client that stops reading fills the socket buffers quickly. */
const ALIASES = Array.from({ length: 200 }, (_, i) => `b${i}: bbox { minLat maxLat minLon maxLon }`).join(' ');

interface NextMessage {
  id: string;
  type: string;
  payload?: { data?: { signalProcessed?: { id: string }; devicePosition?: { deviceId: string; signalId: string } } };
}

describe('slow websocket consumers', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: SuiteDatabase;
  let gateway: GatewayUnderTest;
  let publisher: Redis;

  beforeAll(async () => {
    ({ infra, db, gateway, publisher } = await startLiveStack(disposables, 'gateway-live-slow', {
      gatewayEnv: {
        GATEWAY_WS_BUFFER_SIZE: String(BUFFER_CAP),
        GATEWAY_MAX_ALIASES: '250',
        GATEWAY_WS_KEEPALIVE_MS: '300000',
      },
    }));
  });
  afterAll(() => disposables.disposeAll());

  const metric = (name: string, subscription?: string): Promise<number> =>
    metricValue(gateway.registry, name, subscription ? { subscription } : {});

  it('keeps each subscription buffer within its cap and still delivers every signal once, in order', async () => {
    const socket = disposables.add(new WebSocket(gateway.wsUrl, 'graphql-transport-ws'), (s) => s.terminate());
    const messages: NextMessage[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as NextMessage));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: LIVE_ADMIN_KEY } }));
    await waitFor('connection_ack', () => messages.some((m) => m.type === 'connection_ack'));
    socket.send(
      JSON.stringify({
        id: 'signals',
        type: 'subscribe',
        payload: { query: `subscription { signalProcessed { id ${ALIASES} } }` },
      }),
    );
    socket.send(
      JSON.stringify({
        id: 'positions',
        type: 'subscribe',
        payload: { query: 'subscription { devicePosition { deviceId signalId } }' },
      }),
    );
    await waitFor('both streams', async () => (await metric('gateway_live_open_streams')) === 2);

    // The client stops reading: TCP fills up, then the gateway's sends stop completing.
    const tcp = (socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const published: SignalFixture[] = [];
    const startMs = Date.now() - 24 * 3600 * 1000;
    let maxBuffered = 0;
    for (
      let batch = 0;
      batch < 40 && (await metric('gateway_live_buffer_overflows_total', 'signalProcessed')) < 2;
      batch += 1
    ) {
      // Strictly increasing sample times, so "newest" is unambiguous per device.
      const fixtures = Array.from({ length: 100 }, (_, i) =>
        makeSignal(DEVICES[i % DEVICES.length] as string, undefined, startMs + (published.length + i) * 1000),
      );
      await storeAndPublish(db.models.signals, publisher, infra.namespace, fixtures);
      published.push(...fixtures);
      await waitFor(
        'the batch to reach the subscription',
        async () => (await metric('gateway_live_events_buffered_total', 'signalProcessed')) >= published.length,
      );
      maxBuffered = Math.max(maxBuffered, await metric('gateway_live_buffered_events', 'signalProcessed'));
      expect(await metric('gateway_live_buffered_events', 'devicePosition')).toBeLessThanOrEqual(DEVICES.length);
    }
    expect(await metric('gateway_live_buffer_overflows_total', 'signalProcessed')).toBeGreaterThanOrEqual(2);
    expect(maxBuffered).toBeLessThanOrEqual(BUFFER_CAP);
    expect(await metric('gateway_live_events_discarded_total', 'signalProcessed')).toBeGreaterThan(0);
    expect(await metric('gateway_live_events_discarded_total', 'devicePosition')).toBeGreaterThan(0);

    // The client reads again: what was discarded comes back from the database.
    tcp.resume();
    const signalIds = (): string[] =>
      messages
        .filter((m) => m.id === 'signals' && m.type === 'next')
        .map((m) => m.payload?.data?.signalProcessed?.id ?? '');
    await waitFor(`all ${published.length} signals`, () => signalIds().length >= published.length, 60_000);
    const received = signalIds();
    expect(new Set(received).size).toBe(received.length);
    expect(received).toEqual(published.map((f) => f.event.signalId));
    expect(await metric('gateway_live_replay_pages_total')).toBeGreaterThan(0);

    // Positions coalesced: fewer than the events, and each device's last one is its newest signal.
    const positions = messages
      .filter((m) => m.id === 'positions' && m.type === 'next')
      .map((m) => m.payload?.data?.devicePosition);
    expect(positions.length).toBeLessThan(published.length);
    for (const device of DEVICES) {
      const newest = published.filter((f) => f.event.deviceId === device).at(-1)?.event.signalId;
      await waitFor(
        `the newest position of ${device}`,
        () =>
          messages.filter((m) => m.id === 'positions' && m.payload?.data?.devicePosition?.deviceId === device).at(-1)
            ?.payload?.data?.devicePosition?.signalId === newest,
      );
    }
    socket.close();
    await waitFor('the streams to close', async () => (await metric('gateway_live_open_streams')) === 0);
  });
});
