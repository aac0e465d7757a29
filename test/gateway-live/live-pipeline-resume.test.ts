import { postSignedXRay } from '../../ingest/simulator/signed-xray.client';
import type { RunningService, XRayMessage } from '../../schema';
import { Disposables } from '../support/disposables';
import { LIVE_ADMIN_KEY, metricValue, type GatewayUnderTest, type SuiteDatabase } from './support/gateway-under-test';
import { collect, connectLive } from './support/live-client';
import { startPipelineUnderTest } from './support/pipeline-under-test';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const DEVICE = 'resume-pipeline-1';
const QUERY =
  'subscription($since: ID) { signalProcessed(deviceIds: ["resume-pipeline-1"], since: $since) { id time } }';

interface Received {
  signalProcessed: { id: string; time: string };
}

/** A small message of DEVICE at `timeMs`: distinct times make distinct signals. */
function message(timeMs: number): Buffer {
  const body: XRayMessage = {
    [DEVICE]: {
      time: timeMs,
      data: [
        [0, [51.5, -0.12, 3]],
        [1000, [51.5001, -0.1201, 4]],
        [2000, [51.5002, -0.1202, 5]],
      ],
    },
  };
  return Buffer.from(JSON.stringify(body));
}

describe('signalProcessed resume on the whole pipeline', () => {
  const disposables = new Disposables();
  let fleetSecret: string;
  let db: SuiteDatabase;
  let ingest: RunningService;
  let gateway: GatewayUnderTest;
  const baseTime = Date.UTC(2026, 0, 15, 12, 0, 0);

  async function post(index: number): Promise<string> {
    const timeMs = baseTime + index * 60_000;
    const response = await postSignedXRay(ingest.url, { fleetSecret, deviceId: DEVICE, body: message(timeMs) });
    expect(response.status).toBe(202);
    return new Date(timeMs).toISOString();
  }

  beforeAll(async () => {
    ({ db, fleetSecret, ingest, gateway } = await startPipelineUnderTest(disposables, 'gateway-live-pipeline'));
  });
  afterAll(() => disposables.disposeAll());

  it('delivers every posted message exactly once after a disconnect and a resume with since', async () => {
    const active = (): Promise<number> => metricValue(gateway.registry, 'gateway_live_open_streams');
    const firstClient = disposables.add(connectLive(gateway.wsUrl, LIVE_ADMIN_KEY), (c) => c.dispose());
    const first = collect<Received>(firstClient, QUERY);
    await waitFor('the first subscription', async () => (await active()) === 1);
    const beforeTimes = [await post(0), await post(1)];
    const before = await first.take(2, 30_000);
    expect(before.map((r) => r.signalProcessed.time).sort()).toEqual(beforeTimes);
    const lastId = before[1]?.signalProcessed.id;
    await firstClient.dispose();
    await waitFor('the first subscription to end', async () => (await active()) === 0);

    const awayTimes = [await post(2), await post(3), await post(4)];
    await waitFor(
      'the messages posted while away to be stored',
      async () => (await db.models.signals.countDocuments({ deviceId: DEVICE })) === 5,
      30_000,
    );

    const secondClient = disposables.add(connectLive(gateway.wsUrl, LIVE_ADMIN_KEY), (c) => c.dispose());
    const second = collect<Received>(secondClient, QUERY, { since: lastId });
    await waitFor('the resumed subscription', async () => (await active()) === 1);
    const liveTimes = [await post(5), await post(6)];
    const received = await second.take(5, 30_000);
    const times = received.map((r) => r.signalProcessed.time);
    expect(new Set(received.map((r) => r.signalProcessed.id)).size).toBe(5);
    expect(times.slice(0, 3).sort()).toEqual(awayTimes);
    expect(times.slice(3).sort()).toEqual(liveTimes);
    // Nothing else arrives: a further message is the next one delivered.
    const markerTime = await post(7);
    const [, , , , , sixth] = await second.take(6, 30_000);
    expect(sixth?.signalProcessed.time).toBe(markerTime);
    second.stop();
  });
});
