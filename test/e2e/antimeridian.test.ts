import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { postSignedXRay } from '../../ingest/simulator/signed-xray.client';
import type { RunningGateway } from '../../gateway/gateway.service';
import type { RunningService } from '../../schema';
import { metricValue } from '../gateway-live/support/gateway-under-test';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startWholePipeline } from '../support/whole-pipeline';
import { waitFor } from '../support/wait-for';

/**
 * A track crossing the antimeridian, through the real pipeline (signed POST → ingest → RabbitMQ →
 * processor → FerretDB/MongoDB + Redis → gateway): its stored bbox is the short way round
 * (minLon > maxLon), so boxes near ±180 and boxes across the antimeridian find it, over HTTP and on
 * a live subscription, and a box around Greenwich does not.
 */

const EVENT_TIMEOUT_MS = 30_000;

interface Box {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

interface SignalSummary {
  id: string;
  deviceId: string;
  bbox: Box;
}

const SIGNAL_FIELDS = 'id deviceId bbox { minLat maxLat minLon maxLon }';
const SUBSCRIPTION = `subscription ($bbox: BBoxInput) { signalProcessed(bbox: $bbox) { ${SIGNAL_FIELDS} } }`;
const SIGNALS = `query ($filter: SignalFilter, $first: Int!, $after: String) {
  signals(filter: $filter, first: $first, after: $after, orderBy: TIME_ASC) {
    edges { cursor node { ${SIGNAL_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const box = (minLon: number, maxLon: number): Box => ({ minLat: -1, maxLat: 1, minLon, maxLon });
/** Each side of the antimeridian, across it, and around Greenwich (the box that used to match). */
const EAST_OF_180 = box(-180, -179);
const WEST_OF_180 = box(179, 180);
const ACROSS = box(170, -170);
const GREENWICH = box(0, 10);

/** The longitudes of the bug report: 179.9985 → 179.9995 → −179.9995 → −179.9985, about 111 m apart. */
const CROSSING_LONS = [179.9985, 179.9995, -179.9995, -179.9985];

/** A subscription whose events can be awaited one condition at a time. */
class Subscription {
  private readonly received: SignalSummary[] = [];
  private readonly waiters: Array<{ accept: (event: SignalSummary) => boolean; resolve: () => void }> = [];
  private failure: unknown;
  readonly stop: () => void;

  constructor(client: Client, bbox: Box) {
    this.stop = client.subscribe<{ signalProcessed: SignalSummary }>(
      { query: SUBSCRIPTION, variables: { bbox } },
      {
        next: (result) => {
          if (result.errors) this.failure = new Error(`subscription error: ${JSON.stringify(result.errors)}`);
          const event = result.data?.signalProcessed;
          if (!event) return;
          this.received.push(event);
          for (const waiter of [...this.waiters])
            if (waiter.accept(event)) {
              this.waiters.splice(this.waiters.indexOf(waiter), 1);
              waiter.resolve();
            }
        },
        error: (error) => {
          this.failure = error;
        },
        complete: () => undefined,
      },
    );
  }

  /** Everything received from `deviceId`, in order. */
  from(deviceId: string): SignalSummary[] {
    return this.received.filter((event) => event.deviceId === deviceId);
  }

  /** Resolves once an event (already received or still to come) passes `accept`. */
  async next(accept: (event: SignalSummary) => boolean, what: string): Promise<void> {
    if (this.received.some(accept)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${EVENT_TIMEOUT_MS} ms (${String(this.failure ?? 'no error')})`)),
        EVENT_TIMEOUT_MS,
      );
      this.waiters.push({
        accept,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

describe('a track crossing the antimeridian', () => {
  const disposables = new Disposables();
  const fleetSecret = randomBytes(32).toString('hex');
  const apiKey = `xk_am_${randomBytes(24).toString('hex')}`;
  const deviceId = `antimeridian-${randomBytes(3).toString('hex')}`;
  const startMs = Date.now() - 10 * 60_000;
  let infra: SuiteInfra;
  let ingest: RunningService;
  let gateway: RunningGateway;
  let graphqlUrl: string;
  let client: Client;
  /** The crossing box's subscription, kept for the paging test. */
  let across: Subscription;
  let messages = 0;

  /** Posts one signed message of `points` ([lat, lon]) from `device`, 10 s apart (walking pace, no jumps). */
  const post = async (device: string, points: Array<[number, number]>): Promise<void> => {
    messages += 1;
    const body = Buffer.from(
      JSON.stringify({
        [device]: { time: startMs + messages * 1000, data: points.map(([lat, lon], i) => [i * 10_000, [lat, lon, 1]]) },
      }),
    );
    expect((await postSignedXRay(ingest.url, { fleetSecret, deviceId: device, body })).status).toBe(202);
  };

  const signals = async (filter: Record<string, unknown>, first = 10, after?: string) => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ query: SIGNALS, variables: { filter, first, after } }),
    });
    const body = (await response.json()) as {
      data?: {
        signals: {
          edges: Array<{ cursor: string; node: SignalSummary }>;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    if (!body.data) throw new Error('no data');
    return body.data.signals;
  };
  const idsOf = async (filter: Record<string, unknown>): Promise<string[]> =>
    (await signals(filter)).edges.map((edge) => edge.node.id);

  /** Subscribes, and resolves once the gateway runs the subscription (its Redis channel confirmed). */
  const subscribe = async (bbox: Box): Promise<Subscription> => {
    const before = await metricValue(gateway.registry, 'gateway_ws_active_subscriptions');
    const subscription = disposables.add(new Subscription(client, bbox), (s) => s.stop());
    await waitFor(
      'the subscription running',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) > before,
    );
    return subscription;
  };

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('antimeridian'), (i) => i.dispose());
    ({ gateway, ingest } = await startWholePipeline(infra, disposables, {
      INGEST_HMAC_SECRET: fleetSecret,
      GATEWAY_ADMIN_API_KEY: apiKey,
    }));
    graphqlUrl = `${gateway.url}/graphql`;
    client = disposables.add(
      createClient({
        url: graphqlUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { apiKey },
        retryAttempts: 0,
        lazy: false,
      }),
      (c) => c.dispose(),
    );
  });

  afterAll(() => disposables.disposeAll());

  it('reaches subscriptions near ±180 and across it, not one around Greenwich', async () => {
    const east = await subscribe(EAST_OF_180);
    const west = await subscribe(WEST_OF_180);
    across = await subscribe(ACROSS);
    const greenwich = await subscribe(GREENWICH);

    await post(
      deviceId,
      CROSSING_LONS.map((lon) => [0.5, lon]),
    );
    const crossing = (event: SignalSummary): boolean => event.deviceId === deviceId && event.bbox.minLon > 179;
    await Promise.all([
      east.next(crossing, 'crossing signal east of 180'),
      west.next(crossing, 'crossing signal west of 180'),
      across.next(crossing, 'crossing signal on the crossing box'),
    ]);
    expect(east.from(deviceId).map((event) => event.bbox)).toEqual([
      { minLat: 0.5, maxLat: 0.5, minLon: 179.9985, maxLon: -179.9985 },
    ]);

    // Events reach one subscription in publication order: once the Greenwich box has the device's
    // next (plain) signal, it would already have had the crossing one.
    await post(deviceId, [[0.5, 5]]);
    await greenwich.next((event) => event.deviceId === deviceId, 'plain signal at lon 5');
    expect(greenwich.from(deviceId).map((event) => event.bbox)).toEqual([
      { minLat: 0.5, maxLat: 0.5, minLon: 5, maxLon: 5 },
    ]);
  });

  it('is stored the short way round and found by the signals query on either side and across, not around Greenwich', async () => {
    const all = (await signals({ deviceIds: [deviceId] })).edges.map((edge) => edge.node);
    const crossing = all.find((node) => node.bbox.minLon > node.bbox.maxLon);
    const plain = all.find((node) => node.bbox.minLon === 5);
    expect(crossing?.bbox).toEqual({ minLat: 0.5, maxLat: 0.5, minLon: 179.9985, maxLon: -179.9985 });
    if (!crossing || !plain) throw new Error(`expected both signals, got ${JSON.stringify(all)}`);

    // With the device (its deviceId equality query) and fleet-wide (the time-ordered scan).
    for (const scope of [{ deviceIds: [deviceId] }, {}]) {
      for (const bbox of [EAST_OF_180, WEST_OF_180, ACROSS, box(179.999, 179.9991), box(100, -179.999)])
        expect(await idsOf({ ...scope, bbox })).toContain(crossing.id);
      const greenwich = await idsOf({ ...scope, bbox: GREENWICH });
      expect(greenwich).toContain(plain.id);
      expect(greenwich).not.toContain(crossing.id);
      // Just short of the track on either side, and the right longitudes at other latitudes.
      for (const bbox of [box(170, 179.998), box(-179.998, -170), { ...ACROSS, minLat: 1, maxLat: 2 }])
        expect(await idsOf({ ...scope, bbox })).not.toContain(crossing.id);
    }
  });

  it('pages a crossing box filter with cursors, each signal once', async () => {
    await post(
      deviceId,
      CROSSING_LONS.map((lon) => [0.6, lon]),
    );
    await across.next(
      (event) => event.deviceId === deviceId && event.bbox.minLat === 0.6,
      'second crossing signal on the crossing box',
    );
    const expected = await idsOf({ deviceIds: [deviceId], bbox: ACROSS });
    expect(expected).toHaveLength(2);

    const walked: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await signals({ deviceIds: [deviceId], bbox: ACROSS }, 1, after);
      walked.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(expected);
  });
});
