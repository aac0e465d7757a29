import path from 'node:path';
import { Redis } from 'ioredis';
import { forkBenchChild, stopAll, type BenchChild, type ServiceProcess } from '../lib/child-process';
import { processRssBytes } from '../lib/cpu';
import { wallClockMs } from '../lib/histogram';
import { dropDatabase, resetVhost } from '../lib/infra';
import {
  graphqlWsUrlOf,
  processedEventFor,
  publishProcessedEvent,
  SIGNAL_PROCESSED_SUBSCRIPTION,
} from '../lib/live-events';
import { waitFor } from '../lib/pacer';
import { cpuGroupsFor, GroupCpuMeter, type Scenario } from '../lib/scenario';
import { profileTables, startServices } from '../lib/services';

const SUBSCRIPTIONS_PER_CONNECTION = 500;
/** Deliveries aimed at per step; events per step = this / subscriptions, kept under the per-subscription buffer (256). */
const DELIVERIES_PER_STEP = 200_000;
const MiB = 1024 * 1024;

interface StepRow {
  subscriptions: number;
  connections: number;
  gatewayRssMiB: number;
  rssPer1000MiB: number;
  /** JS heap + external memory after a full collection, and its growth per 1,000 subscriptions. */
  retainedMiB: number;
  retainedPer1000MiB: number;
  events: number;
  expected: number;
  delivered: number;
  deliveriesPerSecond: number;
  rawWsDeliveriesPerSecond: number | null;
  cpu: Record<string, number>;
  rawCpu: Record<string, number>;
  /** Subscriptions the server had ended (e.g. closed a slow connection) before / after the burst. */
  endedBefore?: number;
  endedAfter?: number;
  error?: string;
}

async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bytes of JS heap and external memory `service` holds after a full collection. */
async function retainedBytes(service: BenchChild): Promise<number> {
  service.send({ type: 'retained-memory' });
  const memory = await service.next<{ collected: boolean; heapUsed: number; external: number }>(
    'retained-memory',
    20_000,
  );
  if (!memory.collected) throw new Error(`${service.name} was started without --expose-gc`);
  return memory.heapUsed + memory.external;
}

/** Scenario 3: events/s delivered by one gateway as unfiltered subscriptions grow to 10,000, its RSS, and raw `ws` beside it. */
export const fanoutScenario: Scenario = async ({ config, options, profile, log }) => {
  const steps = options.quick ? [100, 1_000] : [1_000, 2_500, 5_000, 10_000];
  await resetVhost(config);
  await dropDatabase(config.mongoUrl);
  const rows: StepRow[] = [];
  const workers: BenchChild[] = [];
  let services: Record<string, ServiceProcess> = {};
  const publisher = new Redis(config.redisUrl);
  let baselineRss = 0;
  let baselineRetained = 0;
  try {
    services = await startServices(
      config,
      ['gateway'],
      { GATEWAY_WS_MAX_SUBSCRIPTIONS: String(SUBSCRIPTIONS_PER_CONNECTION) },
      profile,
    );
    const gateway = services.gateway!;
    const wsUrl = graphqlWsUrlOf(gateway.url);
    await settle(3_000);
    baselineRss = processRssBytes(gateway.pid) ?? 0;
    baselineRetained = await retainedBytes(gateway);
    let open = 0;
    interface Totals {
      received: number;
      lastReceivedAt: number;
      errors: number;
      ended: number;
      lastError: string;
    }
    const totals = async (): Promise<Totals> => {
      const statuses = await Promise.all(
        workers.map(async (worker) => {
          worker.send({ type: 'status' });
          return worker.next<Totals>('status', 20_000);
        }),
      );
      return statuses.reduce(
        (sum, status) => ({
          received: sum.received + status.received,
          lastReceivedAt: Math.max(sum.lastReceivedAt, status.lastReceivedAt),
          errors: sum.errors + status.errors,
          ended: sum.ended + status.ended,
          lastError: status.lastError || sum.lastError,
        }),
        { received: 0, lastReceivedAt: 0, errors: 0, ended: 0, lastError: '' },
      );
    };
    let serial = 0;
    for (const target of steps) {
      log(`${target} subscriptions`);
      const row: StepRow = {
        subscriptions: target,
        connections: Math.ceil(target / SUBSCRIPTIONS_PER_CONNECTION),
        gatewayRssMiB: 0,
        rssPer1000MiB: 0,
        retainedMiB: 0,
        retainedPer1000MiB: 0,
        events: 0,
        expected: 0,
        delivered: 0,
        deliveriesPerSecond: 0,
        rawWsDeliveriesPerSecond: null,
        cpu: {},
        rawCpu: {},
      };
      try {
        const worker = await forkBenchChild({
          name: `subscribers-${target}`,
          script: path.join(__dirname, '..', 'subscriber.worker.js'),
        });
        workers.push(worker);
        worker.send({
          type: 'open',
          wsUrl,
          apiKey: config.adminApiKey,
          query: SIGNAL_PROCESSED_SUBSCRIPTION,
          variables: Array.from({ length: target - open }, () => ({})),
          perConnection: SUBSCRIPTIONS_PER_CONNECTION,
        });
        await worker.next('opened', 180_000);
        // Warm-up events until every new subscription has received one: then all are live.
        const newSubscriptions = target - open;
        let withEvent = 0;
        const live = await waitFor(
          async () => {
            await publishProcessedEvent(
              publisher,
              config.namespace,
              processedEventFor('fanout-warmup', Date.now() + serial++),
            );
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            worker.send({ type: 'status' });
            withEvent = (await worker.next<{ withEvent: number }>('status', 20_000)).withEvent;
            return withEvent >= newSubscriptions;
          },
          90_000,
          0,
        );
        if (!live)
          throw new Error(`only ${withEvent} of ${newSubscriptions} new subscriptions received a warm-up event`);
        open = target;
        await settle(3_000);
        const rss = processRssBytes(gateway.pid) ?? 0;
        row.gatewayRssMiB = rss / MiB;
        row.rssPer1000MiB = (rss - baselineRss) / MiB / (target / 1000);
        // RSS first (the goal's measure, as the OS sees it), then what survives a full collection.
        const retained = await retainedBytes(gateway);
        row.retainedMiB = retained / MiB;
        row.retainedPer1000MiB = (retained - baselineRetained) / MiB / (target / 1000);

        const events = Math.max(5, Math.min(200, Math.floor(DELIVERIES_PER_STEP / target)));
        const start = await totals();
        const groups: Record<string, number> = { gateway: gateway.pid };
        workers.forEach((each, index) => (groups[`subscribers ${index + 1}`] = each.pid));
        const meter = new GroupCpuMeter(cpuGroupsFor(groups)).start();
        const firstPublishAt = wallClockMs();
        await Promise.all(
          Array.from({ length: events }, () =>
            publishProcessedEvent(
              publisher,
              config.namespace,
              processedEventFor(`fanout-${serial % 100}`, Date.now() + serial++),
            ),
          ),
        );
        row.events = events;
        row.expected = events * (target - start.ended);
        row.endedBefore = start.ended;
        await waitFor(
          async () => {
            const now = await totals();
            // Subscriptions the gateway closed meanwhile (a slow consumer) will deliver nothing more.
            row.expected = events * (target - now.ended);
            return now.received - start.received >= row.expected;
          },
          60_000,
          100,
        );
        // Stragglers after a shortfall: stop once nothing arrived for a second.
        let previous = -1;
        await waitFor(
          async () => {
            const now = (await totals()).received;
            const still = now === previous;
            previous = now;
            return still;
          },
          10_000,
          1_000,
        );
        row.cpu = meter.stop();
        const end = await totals();
        row.delivered = end.received - start.received;
        row.deliveriesPerSecond = row.delivered / ((end.lastReceivedAt - firstPublishAt) / 1000);
        row.endedAfter = end.ended;
        if (end.errors > 0)
          row.error = `${end.errors} subscriptions ended by the server so far (last: ${end.lastError})`;

        row.rawWsDeliveriesPerSecond = await rawWsRate(
          row.connections,
          Math.min(SUBSCRIPTIONS_PER_CONNECTION, target),
          events,
          (meterGroups) => {
            const rawMeter = new GroupCpuMeter(cpuGroupsFor(meterGroups)).start();
            return () => (row.rawCpu = rawMeter.stop());
          },
        );
      } catch (error) {
        row.error = error instanceof Error ? error.message : String(error);
        rows.push(row);
        break;
      }
      rows.push(row);
    }
  } finally {
    publisher.disconnect();
    for (const worker of workers) await worker.stop(5_000);
    await stopAll(Object.values(services));
  }
  const profiles = profileTables(profile, ['gateway']);
  const largest = rows[rows.length - 1];
  const at10k = rows.find((row) => row.subscriptions === 10_000 && row.gatewayRssMiB > 0);
  const met = at10k !== undefined && at10k.gatewayRssMiB < 1024;
  return {
    id: 'fanout',
    title: '3. Fan-out capacity',
    goal: '10,000 subscriptions < 1 GiB RSS',
    outcome: at10k ? (met ? 'met' : 'missed') : options.quick ? 'not-run' : 'missed',
    headline: largest
      ? `${largest.subscriptions} subscriptions: gateway RSS ${largest.gatewayRssMiB.toFixed(0)} MiB (${largest.rssPer1000MiB.toFixed(1)} MiB per 1,000 idle; ${largest.retainedPer1000MiB.toFixed(1)} MiB per 1,000 retained after a full GC), ${largest.deliveriesPerSecond.toFixed(0)} deliveries/s vs raw ws ${largest.rawWsDeliveriesPerSecond?.toFixed(0) ?? '—'}/s`
      : 'not measured',
    tables: [
      {
        title: `One gateway process; unfiltered signalProcessed subscriptions, ${SUBSCRIPTIONS_PER_CONNECTION} per graphql-ws connection; events published on Redis as the processor does`,
        columns: [
          'subscriptions',
          'connections',
          'gateway RSS MiB',
          'RSS per 1,000 idle MiB',
          'retained after GC MiB',
          'retained per 1,000 MiB',
          'events',
          'delivered / expected (live subscriptions × events)',
          'deliveries/s',
          'raw ws deliveries/s',
          'gateway CPU %',
          'subscriber processes CPU %',
          'raw ws server / client CPU %',
          'error',
        ],
        rows: rows.map((row) => [
          row.subscriptions,
          row.connections,
          row.gatewayRssMiB,
          row.rssPer1000MiB,
          row.retainedMiB,
          row.retainedPer1000MiB,
          row.events,
          `${row.delivered} / ${row.expected}`,
          row.deliveriesPerSecond,
          row.rawWsDeliveriesPerSecond,
          row.cpu.gateway ?? null,
          Object.entries(row.cpu)
            .filter(([name]) => name.startsWith('subscribers'))
            .reduce((sum, [, percent]) => sum + percent, 0),
          `${row.rawCpu['raw ws server'] ?? '—'} / ${row.rawCpu['raw ws client'] ?? '—'}`,
          row.error ?? '',
        ]),
      },
      ...profiles.tables,
    ],
    notes: [
      `Gateway RSS before any subscription: ${(baselineRss / MiB).toFixed(0)} MiB. RSS per 1,000 = (RSS − that baseline) / thousands of subscriptions, read 3 s after the step's subscriptions were live and idle. RSS includes garbage not yet collected, so it moves with GC timing from run to run. Retained = JS heap + external memory right after a full collection (the gateway runs with --expose-gc for this reading only), ${(baselineRetained / MiB).toFixed(0)} MiB before any subscription: what the subscriptions themselves hold.`,
      `Deliveries/s = events received by all subscribers / (last arrival − first publish); events per step = ${DELIVERIES_PER_STEP.toLocaleString('en-US')} / subscriptions (5…200, under the gateway's per-subscription buffer of 256, so nothing is dropped by design).`,
      'A subscription ended by the server (graphql-ws close, e.g. a connection whose client fell behind the keep-alive during a burst) no longer counts in "expected"; the error column says how many ended so far and why.',
      'Raw ws: a bare `ws` server process sending the same graphql-ws `next` frame to the same number of connections and copies per connection, counted (and JSON-parsed) by one client process; its CPU is in latest.json.',
      `The gateway runs with GATEWAY_WS_MAX_SUBSCRIPTIONS=${SUBSCRIPTIONS_PER_CONNECTION} (default 100) and GATEWAY_RATE_LIMIT_POINTS=100000000, since each subscribe counts against the key's rate limit (default 600/min).`,
      ...profiles.notes,
    ],
    data: {
      rows,
      baselineRssMiB: baselineRss / MiB,
      baselineRetainedMiB: baselineRetained / MiB,
      profiles: profiles.data,
    },
  };
};

/** Deliveries/s of the same frame through a bare `ws` server to `connections` sockets, `perConnection` copies per event. */
async function rawWsRate(
  connections: number,
  perConnection: number,
  events: number,
  measure: (groups: Record<string, number>) => () => void,
): Promise<number> {
  const payload = JSON.stringify({
    id: '8d6f0a6e-2f1b-4c4e-9a55-0d7b1f0c2e11',
    type: 'next',
    payload: {
      data: {
        signalProcessed: {
          id: '6756c0a1f1e2d3c4b5a69788',
          deviceId: 'fanout-1',
          time: new Date().toISOString(),
          dataLength: 563,
          stats: { distanceMeters: 578.13, maxSpeed: 4.335532 },
        },
      },
    },
  });
  const server = await forkBenchChild({
    name: 'raw-ws-server',
    script: path.join(__dirname, '..', 'raw-ws-server.js'),
  });
  const client = await forkBenchChild({
    name: 'raw-ws-client',
    script: path.join(__dirname, '..', 'raw-ws-client.worker.js'),
  });
  try {
    client.send({ type: 'open', url: server.ready.url, connections });
    await client.next('opened', 60_000);
    const expected = connections * perConnection * events;
    const done = measure({ 'raw ws server': server.pid, 'raw ws client': client.pid });
    const startedAt = wallClockMs();
    server.send({ type: 'blast', events, perConnection, payload });
    const status = async (): Promise<{ received: number; lastReceivedAt: number }> => {
      client.send({ type: 'status' });
      return client.next('status', 10_000);
    };
    await waitFor(async () => (await status()).received >= expected, 60_000, 100);
    done();
    const final = await status();
    return final.received / ((final.lastReceivedAt - startedAt) / 1000);
  } finally {
    await client.stop(3_000);
    await server.stop(3_000);
  }
}
