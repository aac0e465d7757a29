import { postSignedXRay } from '../../ingest/simulator/signed-xray.client';
import type { RunningService, XRayMessage } from '../../schema';
import { DeleteSignalDocument, UpdateSignalDocument } from '../gql/graphql';
import { dataOf, execute } from '../gateway/support/gateway-harness';
import { Disposables } from '../support/disposables';
import { waitFor } from '../support/wait-for';
import { LIVE_ADMIN_KEY, metricValue, type GatewayUnderTest, type SuiteDatabase } from './support/gateway-under-test';
import { collect, connectLive } from './support/live-client';
import { startPipelineUnderTest } from './support/pipeline-under-test';

jest.setTimeout(120_000);

const POSITIONS =
  'subscription($ids: [ID!]) { devicePosition(deviceIds: $ids) { deviceId signalId position { time } } }';
const SIGNALS = 'subscription($ids: [ID!]) { signalProcessed(deviceIds: $ids) { id deviceId end { time } } }';
/** Samples are 0, 1 and 2 s after the message time: the position's time is 2 s after it. */
const LAST_SAMPLE_MS = 2_000;
/** The reported case: stored up to 2025-01-01T00:36:31.729Z, then a message from 21:36 the day before. */
const NEWEST = Date.UTC(2025, 0, 1, 0, 36, 29, 729);
const LATE = Date.UTC(2024, 11, 31, 21, 36, 29, 729);
const MINUTE = 60_000;

interface PositionData {
  devicePosition: { deviceId: string; signalId: string; position: { time: string } };
}
interface SignalData {
  signalProcessed: { id: string; deviceId: string; end: { time: string } };
}

/** A message of `deviceId` at `timeMs` (three samples a second apart, a few metres each). */
function message(deviceId: string, timeMs: number): Buffer {
  const body: XRayMessage = {
    [deviceId]: {
      time: timeMs,
      data: [
        [0, [51.5, -0.12, 3]],
        [1000, [51.5001, -0.1201, 4]],
        [LAST_SAMPLE_MS, [51.5002, -0.1202, 5]],
      ],
    },
  };
  return Buffer.from(JSON.stringify(body));
}

const positionTime = (timeMs: number): string => new Date(timeMs + LAST_SAMPLE_MS).toISOString();

describe('devicePosition against stored positions, on the whole pipeline', () => {
  const disposables = new Disposables();
  let fleetSecret: string;
  let db: SuiteDatabase;
  let ingest: RunningService;
  let gateway: GatewayUnderTest;

  async function post(deviceId: string, timeMs: number): Promise<void> {
    const response = await postSignedXRay(ingest.url, { fleetSecret, deviceId, body: message(deviceId, timeMs) });
    expect(response.status).toBe(202);
  }

  async function storedPositionTime(deviceId: string): Promise<string | undefined> {
    const device = await db.models.devices.findById(deviceId).lean();
    return device?.lastPosition?.time.toISOString();
  }

  /** Posts and waits until the device's stored position is the message's (its event is then published). */
  async function postStored(deviceId: string, timeMs: number): Promise<void> {
    await post(deviceId, timeMs);
    await waitFor(
      `${deviceId}'s stored position at ${positionTime(timeMs)}`,
      async () => (await storedPositionTime(deviceId)) === positionTime(timeMs),
    );
  }

  const openStreams = (): Promise<number> => metricValue(gateway.registry, 'gateway_live_open_streams');

  beforeAll(async () => {
    ({ db, fleetSecret, ingest, gateway } = await startPipelineUnderTest(disposables, 'gateway-live-position-order'));
  });
  afterAll(() => disposables.disposeAll());

  /** Clients of the running test, closed after it, pass or fail. */
  let perTest = new Disposables();
  const connect = () => perTest.add(connectLive(gateway.wsUrl, LIVE_ADMIN_KEY), (client) => client.dispose());
  beforeEach(() => {
    perTest = new Disposables();
  });
  afterEach(async () => {
    await perTest.disposeAll();
    await waitFor('every stream to end', async () => (await openStreams()) === 0);
  });

  it('gives a new subscription no late, older message, but the newer one after it', async () => {
    const device = 'order-late-1';
    // A device this gateway has not followed yet, whose first message is its stored newest.
    const fresh = 'order-fresh-1';
    await postStored(device, NEWEST);

    const client = connect();
    const positions = collect<PositionData>(client, POSITIONS, { ids: [device, fresh] });
    const signals = collect<SignalData>(client, SIGNALS, { ids: [device, fresh] });
    await waitFor('both subscriptions', async () => (await openStreams()) === 2);

    await post(device, LATE);
    const [late] = await signals.take(1, 30_000);
    expect(late?.signalProcessed).toMatchObject({ deviceId: device, end: { time: positionTime(LATE) } });
    expect(await storedPositionTime(device)).toBe(positionTime(NEWEST));

    await post(fresh, NEWEST);
    await post(device, NEWEST + 4 * MINUTE);
    // Positions of one device arrive in order: had the late one been delivered, it would come first.
    const received = await positions.take(2, 30_000);
    expect(received.map((r) => [r.devicePosition.deviceId, r.devicePosition.position.time]).sort()).toEqual([
      [fresh, positionTime(NEWEST)],
      [device, positionTime(NEWEST + 4 * MINUTE)],
    ]);
    // signalProcessed still delivers every signal, old or not.
    const everySignal = await signals.take(3, 30_000);
    expect(everySignal.map((r) => r.signalProcessed.end.time).sort()).toEqual(
      [positionTime(LATE), positionTime(NEWEST), positionTime(NEWEST + 4 * MINUTE)].sort(),
    );
    expect(await metricValue(gateway.registry, 'gateway_live_stale_positions_total')).toBeGreaterThanOrEqual(1);
    await client.dispose();
  });

  it('reads the stored position again for a device nobody followed meanwhile', async () => {
    const device = 'order-unfollowed-1';
    const first = connect();
    const before = collect<PositionData>(first, POSITIONS, { ids: [device] });
    await waitFor('the first subscription', async () => (await openStreams()) === 1);
    await post(device, NEWEST);
    const [seen] = await before.take(1, 30_000);
    expect(seen?.devicePosition.position.time).toBe(positionTime(NEWEST));
    await first.dispose();
    await waitFor('the first subscription to end', async () => (await openStreams()) === 0);

    // Stored while this gateway followed nobody on the device: it never saw the event.
    await postStored(device, NEWEST + 10 * MINUTE);

    const second = connect();
    const after = collect<PositionData>(second, POSITIONS, { ids: [device] });
    await waitFor('the second subscription', async () => (await openStreams()) === 1);
    // Newer than what the gateway last saw, older than what is stored.
    await post(device, NEWEST + 5 * MINUTE);
    await post(device, NEWEST + 11 * MINUTE);
    const [next] = await after.take(1, 30_000);
    expect(next?.devicePosition.position.time).toBe(positionTime(NEWEST + 11 * MINUTE));
    await second.dispose();
  });

  it("reads a device's stored position once for all its subscribers", async () => {
    const device = 'order-shared-1';
    const lookups = (): Promise<number> =>
      metricValue(gateway.registry, 'gateway_live_position_lookups_total', { outcome: 'ok' });
    const client = connect();
    const subscribers = [
      collect<PositionData>(client, POSITIONS, { ids: [device] }),
      collect<PositionData>(client, POSITIONS, { ids: [device] }),
      collect<PositionData>(client, POSITIONS, { ids: [device, 'order-shared-2'] }),
    ];
    await waitFor('three subscriptions', async () => (await openStreams()) === 3);
    const lookupsBefore = await lookups();
    const times = [NEWEST, NEWEST + MINUTE, NEWEST + 2 * MINUTE];
    for (const [index, time] of times.entries()) {
      await post(device, time);
      // Each subscriber gets each position (it keeps up), so every event went through the feed.
      for (const subscriber of subscribers) {
        const received = await subscriber.take(index + 1, 30_000);
        expect(received[index]?.devicePosition.position.time).toBe(positionTime(time));
      }
    }
    expect((await lookups()) - lookupsBefore).toBe(1);
    await client.dispose();
  });

  it('moves a device back when its newest signal is back-dated or deleted', async () => {
    const device = 'order-corrected-1';
    const signalIdAt = async (timeMs: number): Promise<string> => {
      const signal = await db.models.signals.findOne({ deviceId: device, time: new Date(timeMs) }).lean();
      if (!signal) throw new Error(`no signal of ${device} at ${new Date(timeMs).toISOString()}`);
      return signal._id.toHexString();
    };
    await postStored(device, NEWEST - 10 * MINUTE);
    await postStored(device, NEWEST);
    const [older, newest] = [await signalIdAt(NEWEST - 10 * MINUTE), await signalIdAt(NEWEST)];
    const client = connect();
    const positions = collect<PositionData>(client, POSITIONS, { ids: [device] });
    await waitFor('the subscription', async () => (await openStreams()) === 1);

    // The newest signal moved 20 minutes back: the older one ends last now.
    const backDated = NEWEST - 20 * MINUTE;
    const input = {
      deviceId: device,
      time: new Date(backDated).toISOString(),
      data: [0, 1000, LAST_SAMPLE_MS].map((offsetMs, i) => ({
        offsetMs,
        lat: 51.5,
        lon: -0.12 - i * 0.0001,
        speed: 3,
      })),
    };
    dataOf(await execute(gateway.gateway.url, UpdateSignalDocument, { id: newest, input }, LIVE_ADMIN_KEY));
    const [afterUpdate] = await positions.take(1, 30_000);
    expect(afterUpdate?.devicePosition).toEqual({
      deviceId: device,
      signalId: older,
      position: { time: positionTime(NEWEST - 10 * MINUTE) },
    });

    // Deleting the older one leaves the back-dated signal as the newest.
    dataOf(await execute(gateway.gateway.url, DeleteSignalDocument, { id: older }, LIVE_ADMIN_KEY));
    const received = await positions.take(2, 30_000);
    expect(received[1]?.devicePosition).toEqual({
      deviceId: device,
      signalId: newest,
      position: { time: positionTime(backDated) },
    });
    expect(await storedPositionTime(device)).toBe(positionTime(backDated));
    await client.dispose();
  });

  it('delivers an updated signal to signalProcessed again, under its id', async () => {
    const device = 'order-revised-1';
    const client = connect();
    const signals = collect<SignalData>(client, SIGNALS, { ids: [device] });
    await waitFor('the subscription', async () => (await openStreams()) === 1);
    await post(device, NEWEST);
    const [stored] = await signals.take(1, 30_000);
    const id = stored?.signalProcessed.id ?? '';
    const input = {
      deviceId: device,
      time: new Date(NEWEST + MINUTE).toISOString(),
      data: [0, LAST_SAMPLE_MS].map((offsetMs) => ({ offsetMs, lat: 51.5, lon: -0.12, speed: 3 })),
    };
    dataOf(await execute(gateway.gateway.url, UpdateSignalDocument, { id, input }, LIVE_ADMIN_KEY));
    const received = await signals.take(2, 30_000);
    expect(received[1]?.signalProcessed).toEqual({
      id,
      deviceId: device,
      end: { time: positionTime(NEWEST + MINUTE) },
    });
    await client.dispose();
  });
});
