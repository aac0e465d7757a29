import { metricValue } from './support/gateway-under-test';
import { collect } from './support/live-client';
import { useLiveSuite } from './support/live-suite';
import { makeSignal, storeAndPublish, type SignalFixture } from './support/signal-fixtures';
import { waitFor } from '../support/wait-for';

const SIGNAL_FIELDS =
  'id deviceId time dataLength dataVolume ingestedAt stats { distanceMeters maxSpeed avgSpeed durationMs droppedSamples } bbox { minLat maxLat minLon maxLon } start { time lat lon speed } end { time lat lon speed }';

interface SignalData {
  signalProcessed: { id: string; deviceId: string; time: string; bbox: { minLat: number }; end: { time: string } };
}

jest.setTimeout(60_000);

describe('live subscriptions', () => {
  // Each test starts with no subscription, so "active" always means this test's.
  const suite = useLiveSuite('gateway-live-subs', 'gateway_ws_active_subscriptions');

  async function untilActive(count: number): Promise<void> {
    await waitFor(
      `${count} active subscriptions`,
      async () => (await metricValue(suite.gateway.registry, 'gateway_ws_active_subscriptions')) >= count,
    );
  }

  async function publish(fixtures: SignalFixture[]): Promise<void> {
    await storeAndPublish(suite.db.models.signals, suite.publisher, suite.infra.namespace, fixtures);
  }

  it('delivers every processed signal to an unfiltered subscriber, mapped to the Signal type', async () => {
    const client = suite.connect();
    const sub = collect<SignalData>(client, `subscription { signalProcessed { ${SIGNAL_FIELDS} } }`);
    await untilActive(1);
    const fixtures = [makeSignal('unf-a'), makeSignal('unf-b'), makeSignal('unf-a')];
    await publish(fixtures);
    const received = await sub.take(3);
    expect(received.map((r) => r.signalProcessed.id)).toEqual(fixtures.map((f) => f.event.signalId));
    const first = fixtures[0]?.event;
    expect(received[0]?.signalProcessed).toMatchObject({
      deviceId: 'unf-a',
      time: new Date(first?.time ?? 0).toISOString(),
      bbox: { minLat: first?.bbox.minLat },
      end: { time: new Date(first?.end.time ?? 0).toISOString() },
    });
    sub.stop();
    await client.dispose();
  });

  it('resolves the device and the stored points of a live signal', async () => {
    const client = suite.connect();
    const sub = collect<{
      signalProcessed: { id: string; device: { id: string }; points: Array<{ lat: number; time: string }> };
    }>(client, 'subscription { signalProcessed { id device { id } points { lat time } } }');
    await untilActive(1);
    const fixture = makeSignal('points-1', { lat: 48.1, lon: 11.5 });
    await publish([fixture]);
    const [received] = await sub.take(1);
    expect(received?.signalProcessed.device.id).toBe('points-1');
    const lats = received?.signalProcessed.points.map((p) => p.lat) ?? [];
    expect(lats).toHaveLength(3);
    lats.forEach((lat, i) => expect(lat).toBeCloseTo(48.1 + i * 0.0001, 9));
    expect(received?.signalProcessed.points[0]?.time).toBe(new Date(fixture.event.start.time).toISOString());
    sub.stop();
    await client.dispose();
  });

  it('delivers only the named devices when deviceIds is given', async () => {
    const client = suite.connect();
    const sub = collect<SignalData>(
      client,
      `subscription($ids: [ID!]) { signalProcessed(deviceIds: $ids) { id deviceId } }`,
      { ids: ['dev-x', 'dev-y'] },
    );
    await untilActive(1);
    const fixtures = [makeSignal('dev-z'), makeSignal('dev-x'), makeSignal('dev-z'), makeSignal('dev-y')];
    await publish(fixtures);
    const received = await sub.take(2);
    expect(received.map((r) => r.signalProcessed.deviceId)).toEqual(['dev-x', 'dev-y']);
    // A later event proves nothing else was queued before it.
    const marker = makeSignal('dev-x');
    await publish([makeSignal('dev-z'), marker]);
    const [, , third] = await sub.take(3);
    expect(third?.signalProcessed.id).toBe(marker.event.signalId);
    sub.stop();
    await client.dispose();
  });

  it('delivers only signals whose bounding box intersects the bbox argument', async () => {
    const client = suite.connect();
    const sub = collect<SignalData>(
      client,
      `subscription { signalProcessed(bbox: { minLat: 40, maxLat: 41, minLon: -75, maxLon: -73 }) { id } }`,
    );
    await untilActive(1);
    const inside = makeSignal('bbox-a', { lat: 40.7, lon: -74 });
    const outside = makeSignal('bbox-a', { lat: 52.5, lon: 13.4 });
    const touching = makeSignal('bbox-b', { lat: 40.99995, lon: -73.00005 });
    await publish([outside, inside, makeSignal('bbox-c', { lat: -33, lon: 151 }), touching]);
    const received = await sub.take(2);
    expect(received.map((r) => r.signalProcessed.id)).toEqual([inside.event.signalId, touching.event.signalId]);
    sub.stop();
    await client.dispose();
  });

  it('refuses an invalid bbox with BAD_USER_INPUT', async () => {
    const client = suite.connect();
    const sub = collect(
      client,
      `subscription { signalProcessed(bbox: { minLat: 50, maxLat: 40, minLon: 0, maxLon: 1 }) { id } }`,
    );
    const errors = await sub.failure();
    expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0]?.message).toMatch(/minLat/);
    await client.dispose();
  });

  it('delivers device positions, the newest per device, never moving a device back in time', async () => {
    const client = suite.connect();
    const sub = collect<{
      devicePosition: { deviceId: string; signalId: string; position: { time: string; lat: number; lon: number } };
    }>(
      client,
      `subscription { devicePosition(deviceIds: ["pos-1", "pos-2"]) { deviceId signalId position { time lat lon speed } } }`,
    );
    await untilActive(1);
    const now = Date.now();
    const newer = makeSignal('pos-1', { lat: 10, lon: 20 }, now);
    const late = makeSignal('pos-1', { lat: 11, lon: 21 }, now - 60_000);
    const other = makeSignal('pos-2', { lat: 30, lon: 40 }, now);
    await publish([newer, late, makeSignal('pos-3'), other]);
    const received = await sub.take(2);
    expect(received.map((r) => r.devicePosition.signalId)).toEqual([newer.event.signalId, other.event.signalId]);
    expect(received[0]?.devicePosition).toEqual({
      deviceId: 'pos-1',
      signalId: newer.event.signalId,
      position: {
        time: new Date(newer.event.end.time).toISOString(),
        lat: newer.event.end.lat,
        lon: newer.event.end.lon,
        speed: newer.event.end.speed,
      },
    });
    sub.stop();
    await client.dispose();
  });

  it('counts delivered events in the registry, per subscription field', async () => {
    const delivered = (subscription: string): Promise<number> =>
      metricValue(suite.gateway.registry, 'gateway_ws_events_delivered_total', { subscription });
    const [signalsBefore, positionsBefore] = [await delivered('signalProcessed'), await delivered('devicePosition')];
    const client = suite.connect();
    const signals = collect<SignalData>(client, `subscription { signalProcessed { ${SIGNAL_FIELDS} } }`);
    const positions = collect(client, 'subscription { devicePosition(deviceIds: ["count-1"]) { deviceId } }');
    await untilActive(2);
    const now = Date.now();
    await publish([makeSignal('count-1', { lat: 1, lon: 2 }, now), makeSignal('count-2', { lat: 3, lon: 4 }, now)]);
    await signals.take(2);
    await positions.take(1);
    expect(await delivered('signalProcessed')).toBe(signalsBefore + 2);
    expect(await delivered('devicePosition')).toBe(positionsBefore + 1);
    signals.stop();
    positions.stop();
    await client.dispose();
  });
});
