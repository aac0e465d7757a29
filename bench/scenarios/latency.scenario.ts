import path from 'node:path';
import { Redis } from 'ioredis';
import { forkBenchChild, stopAll, type BenchChild, type ServiceProcess } from '../lib/child-process';
import { LatencyRecorder, wallClockMs, type LatencySummary } from '../lib/histogram';
import { KeepAliveClient } from '../lib/http-client';
import { connectBenchDb, dropDatabase, purgeQueue, queueDepth, resetVhost } from '../lib/infra';
import { RAW_QUEUE } from '../../schema';
import {
  graphqlWsUrlOf,
  processedEventFor,
  publishProcessedEvent,
  SIGNAL_PROCESSED_SUBSCRIPTION,
} from '../lib/live-events';
import { paced, waitFor } from '../lib/pacer';
import { measureProcessorDrain, type ProcessorDrain } from '../lib/processor-drain';
import { measureRedisPubSubLatency } from '../lib/raw-limits';
import { benchDeviceId, newRunTag, signedHeadersFor, smallBodyFor } from '../lib/sample';
import { cpuGroupsFor, GroupCpuMeter, type Scenario } from '../lib/scenario';
import { profileTables, startServices } from '../lib/services';

const DEVICES = 100;
const SAMPLES_PER_MESSAGE = 20;
const SUBSCRIPTIONS_PER_CONNECTION = 100;

interface Status {
  received: number;
  withEvent: number;
  errors: number;
  lastError: string;
}

interface Row {
  source: 'ingest 202' | 'Redis publish';
  rate: number;
  subscribers: number;
  filtered: boolean;
  achievedPerSecond: number;
  expected: number;
  received: number;
  latency: LatencySummary;
  cpu: Record<string, number>;
  /** Messages still queued for the processor 8 s after the window (then purged). */
  backlog?: number;
  error?: string;
}

/**
 * Scenario 2: from ingest's 202 to a graphql-ws subscriber, at fixed offered rates, with 1, 100 and
 * 1,000 subscribers (unfiltered, or each filtered on one device); beside it the same subscribers fed
 * straight from Redis (the gateway alone) and raw Redis PUBLISH → SUBSCRIBE.
 */
export const latencyScenario: Scenario = async ({ config, options, profile, log }) => {
  const rates = options.quick ? [100] : [100, 500];
  const subscriberCounts = options.quick ? [1, 100] : [1, 100, 1_000];
  const windowMs = options.quick ? 4_000 : 5_000;
  const drainMessages = options.quick ? 2_000 : 5_000;
  let drain: ProcessorDrain | undefined;
  await resetVhost(config);
  await dropDatabase(config.mongoUrl);
  const rows: Row[] = [];
  const redisRows: Array<{ rate: number; latency: LatencySummary }> = [];
  let services: Record<string, ServiceProcess> = {};
  const client = new KeepAliveClient(256);
  const publisher = new Redis(config.redisUrl);
  const runTag = newRunTag();
  let serial = 0;
  const baseTime = Date.now() - 3_600_000;
  try {
    for (const rate of rates) {
      log(`raw Redis pub/sub at ${rate}/s`);
      redisRows.push({
        rate,
        latency: await measureRedisPubSubLatency(
          config.redisUrl,
          `${config.namespace}:bench-raw-latency`,
          JSON.stringify(processedEventFor('raw', Date.now())),
          rate,
          windowMs,
        ),
      });
    }
    const serviceEnv = { GATEWAY_WS_MAX_SUBSCRIPTIONS: String(SUBSCRIPTIONS_PER_CONNECTION) };
    services = await startServices(config, ['ingest'], serviceEnv, profile);
    const ingestUrl = `${services.ingest!.url}/v1/xray`;
    const deviceOf = (index: number): string => benchDeviceId(runTag, index % DEVICES);

    const postOne = async (deviceId: string): Promise<{ key: string; acceptedAt: number } | undefined> => {
      const time = baseTime + serial++;
      const body = smallBodyFor(deviceId, time, SAMPLES_PER_MESSAGE);
      const answer = await client.request(ingestUrl, 'POST', signedHeadersFor(config.hmacSecret, deviceId, body), body);
      return answer.status === 202 ? { key: `${deviceId}|${time}`, acceptedAt: wallClockMs() } : undefined;
    };

    log(`processor drain: ${drainMessages} messages queued, then the processor started`);
    const db = await connectBenchDb(config);
    try {
      drain = await measureProcessorDrain({
        messages: drainMessages,
        post: async (index) => (await postOne(deviceOf(index))) !== undefined,
        startProcessor: async () => {
          Object.assign(services, await startServices(config, ['processor'], serviceEnv, profile));
          return services.processor!;
        },
        db,
        timeoutMs: 120_000,
      });
    } finally {
      await db.close();
    }
    Object.assign(services, await startServices(config, ['gateway'], serviceEnv, profile));
    const wsUrl = graphqlWsUrlOf(services.gateway!.url);

    for (const source of ['ingest 202', 'Redis publish'] as const) {
      // The gateway alone is measured at the highest rate only: it isolates the gateway's share there.
      for (const rate of source === 'ingest 202' ? rates : rates.slice(-1)) {
        for (const subscribers of subscriberCounts) {
          for (const filtered of [false, true]) {
            log(`${source}: ${rate}/s, ${subscribers} ${filtered ? 'filtered' : 'unfiltered'} subscribers`);
            let worker: BenchChild | undefined;
            try {
              worker = await forkBenchChild({
                name: 'subscribers',
                script: path.join(__dirname, '..', 'subscriber.worker.js'),
              });
              const status = async (): Promise<Status> => {
                worker!.send({ type: 'status' });
                return worker!.next<Status>('status', 10_000);
              };
              const variables = Array.from({ length: subscribers }, (_, index) =>
                filtered ? { deviceIds: [deviceOf(index)] } : {},
              );
              worker.send({
                type: 'open',
                wsUrl,
                apiKey: config.adminApiKey,
                query: SIGNAL_PROCESSED_SUBSCRIPTION,
                variables,
                perConnection: SUBSCRIPTIONS_PER_CONNECTION,
              });
              await worker.next('opened', 120_000);
              // Warm up until every subscription has received an event: then all are live.
              const warmDevices = filtered ? Math.min(subscribers, DEVICES) : 1;
              let warm = false;
              for (let attempt = 0; attempt < 5 && !warm; attempt += 1) {
                await Promise.all(Array.from({ length: warmDevices }, (_, index) => postOne(deviceOf(index))));
                warm = await waitFor(async () => (await status()).withEvent >= subscribers, 10_000, 200);
              }
              if (!warm) throw new Error(`subscriptions not live after warm-up: ${JSON.stringify(await status())}`);
              // Let the warm-up drain before measuring.
              await waitFor(
                async () => {
                  const before = (await status()).received;
                  await new Promise((resolve) => setTimeout(resolve, 500));
                  return (await status()).received === before;
                },
                30_000,
                0,
              );
              worker.send({ type: 'reset' });
              await worker.next('reset-done');

              const acceptedPerDevice = new Map<string, number>();
              let pendingKeys: Array<[string, number]> = [];
              const flusher = setInterval(() => {
                if (pendingKeys.length > 0) {
                  worker!.send({ type: 'sent', entries: pendingKeys });
                  pendingKeys = [];
                }
              }, 20);
              const inFlight = new Set<Promise<unknown>>();
              const groups: Record<string, number> = {
                gateway: services.gateway!.pid,
                processor: services.processor!.pid,
                ingest: services.ingest!.pid,
                'generator (poster)': process.pid,
                'generator (subscribers)': worker.pid,
              };
              const meter = new GroupCpuMeter(cpuGroupsFor(groups)).start();
              const startedAt = performance.now();
              await paced(rate, windowMs, (index) => {
                const deviceId = deviceOf(index);
                let promise: Promise<unknown>;
                if (source === 'ingest 202') {
                  promise = postOne(deviceId).then((accepted) => {
                    if (!accepted) return;
                    pendingKeys.push([accepted.key, accepted.acceptedAt]);
                    acceptedPerDevice.set(deviceId, (acceptedPerDevice.get(deviceId) ?? 0) + 1);
                  });
                } else {
                  const time = baseTime + serial++;
                  pendingKeys.push([`${deviceId}|${time}`, wallClockMs()]);
                  acceptedPerDevice.set(deviceId, (acceptedPerDevice.get(deviceId) ?? 0) + 1);
                  promise = publishProcessedEvent(publisher, config.namespace, processedEventFor(deviceId, time));
                }
                inFlight.add(promise);
                void promise.catch(() => undefined).finally(() => inFlight.delete(promise));
              });
              await Promise.all(inFlight);
              const sentSeconds = (performance.now() - startedAt) / 1000;
              const accepted = [...acceptedPerDevice.values()].reduce((sum, count) => sum + count, 0);
              const expected = filtered
                ? variables.reduce((sum, _variables, index) => sum + (acceptedPerDevice.get(deviceOf(index)) ?? 0), 0)
                : accepted * subscribers;
              await waitFor(async () => (await status()).received >= expected, 8_000, 100);
              const cpu = meter.stop();
              const backlog = source === 'ingest 202' ? await queueDepth(config, RAW_QUEUE).catch(() => -1) : 0;
              if (backlog > 0) {
                // What the processor could not store in time would only delay the next row.
                await purgeQueue(config, RAW_QUEUE);
                await waitFor(async () => (await queueDepth(config, RAW_QUEUE)) === 0, 30_000, 500);
              }
              clearInterval(flusher);
              if (pendingKeys.length > 0) worker.send({ type: 'sent', entries: pendingKeys });
              const final = await status();
              worker.send({ type: 'latency' });
              const { summary } = await worker.next<{ summary: LatencySummary }>('latency');
              rows.push({
                source,
                rate,
                subscribers,
                filtered,
                achievedPerSecond: accepted / sentSeconds,
                expected,
                received: final.received,
                latency: summary,
                cpu,
                backlog,
                ...(final.errors > 0 ? { error: `${final.errors} errors, last: ${final.lastError}` } : {}),
              });
            } catch (error) {
              rows.push({
                source,
                rate,
                subscribers,
                filtered,
                achievedPerSecond: 0,
                expected: 0,
                received: 0,
                latency: new LatencyRecorder().summary(),
                cpu: {},
                error: error instanceof Error ? error.message : String(error),
              });
            } finally {
              await worker?.stop(5_000);
            }
          }
        }
      }
    }
  } finally {
    client.close();
    publisher.disconnect();
    await stopAll(Object.values(services));
  }
  const profiles = profileTables(profile, ['gateway', 'processor']);
  const goalRow = rows.find(
    (row) => row.source === 'ingest 202' && row.rate === 500 && row.subscribers === 1_000 && !row.filtered,
  );
  // The goal holds for 1,000 subscribers filtered and unfiltered alike.
  const goalRows = rows.filter((row) => row.source === 'ingest 202' && row.rate === 500 && row.subscribers === 1_000);
  const goalMet =
    goalRows.length === 2 &&
    goalRows.every((row) => !row.error && row.received >= row.expected && row.latency.p99 < 50);
  const gatewayOnly = rows.find(
    (row) => row.source === 'Redis publish' && row.rate === 500 && row.subscribers === 1_000 && !row.filtered,
  );
  const redis500 = redisRows.find((row) => row.rate === 500) ?? redisRows[0];
  const describe = (row: Row | undefined): string =>
    row
      ? `p99 ${row.latency.p99} ms (${row.received}/${row.expected} delivered, ${row.achievedPerSecond.toFixed(0)} msg/s achieved)`
      : 'not measured';
  return {
    id: 'latency',
    title: '2. Live latency',
    goal: 'p99 < 50 ms at 500 msg/s with 1,000 subscribers',
    outcome: goalRow ? (goalMet ? 'met' : 'missed') : 'not-run',
    headline: `202→subscriber at 500/s × 1,000: ${describe(goalRow)}; Redis→gateway→subscriber: ${describe(gatewayOnly)}; raw Redis p99 ${redis500?.latency.p99 ?? '—'} ms; the processor alone stores ${drain ? Math.round(drain.storedPerSecond) : '—'} of these messages/s`,
    tables: [
      {
        title: 'Latency to a graphql-ws subscriber (ms); "filtered" = each subscription on one device of 100',
        columns: [
          'from',
          'offered msg/s',
          'achieved msg/s',
          'subscribers',
          'filter',
          'delivered / expected',
          'p50',
          'p95',
          'p99',
          'max',
          'CPU % gateway / processor / ingest / subscribers',
          'backlog left',
          'error',
        ],
        rows: rows.map((row) => [
          row.source,
          row.rate,
          row.achievedPerSecond,
          row.subscribers,
          row.filtered ? 'filtered' : 'all',
          `${row.received} / ${row.expected}`,
          row.latency.p50,
          row.latency.p95,
          row.latency.p99,
          row.latency.max,
          row.cpu.gateway === undefined
            ? '—'
            : `${row.cpu.gateway} / ${row.cpu.processor} / ${row.cpu.ingest} / ${row.cpu['generator (subscribers)']}`,
          row.backlog ?? null,
          row.error ?? '',
        ]),
      },
      {
        title: `Processor drain: ${SAMPLES_PER_MESSAGE}-sample messages over ${DEVICES} devices queued (202) while it was stopped, then stored by it alone (defaults)`,
        columns: ['messages', 'seconds', 'stored/s', 'processor RSS max MiB'],
        rows: drain ? [[drain.messages, drain.seconds, drain.storedPerSecond, drain.maxRssMiB]] : [],
      },
      {
        title: 'Raw Redis PUBLISH → SUBSCRIBE (same machine, same event JSON)',
        columns: ['msg/s', 'count', 'p50', 'p95', 'p99', 'max'],
        rows: redisRows.map((row) => [
          row.rate,
          row.latency.count,
          row.latency.p50,
          row.latency.p95,
          row.latency.p99,
          row.latency.max,
        ]),
      },
      ...profiles.tables,
    ],
    notes: [
      `Messages of ${SAMPLES_PER_MESSAGE} samples (the 72 KB sample cannot be stored at these rates here: see scenario 1), signed, over ${DEVICES} devices, offered open-loop for ${windowMs / 1000} s per row; latency = arrival at the subscriber − the 202 answer (or the Redis PUBLISH), wall clock of the same machine, HDR histogram.`,
      'Undelivered events (delivered < expected) are those not stored (still queued: "backlog left" counts the messages RabbitMQ had not yet delivered to the processor, which holds up to its prefetch besides) or not yet delivered by the gateway 8 s after the window; the queue is then purged so it cannot delay the next row. Latency percentiles cover delivered events only, so where some are missing they are lower bounds; on the Redis publish rows, events a subscriber\'s full buffer discarded are never read back (they were not stored). A row with fewer than 100 deliveries has its maximum as p99.',
      `"Redis publish" rows feed the gateway the processor's event JSON directly, so they isolate the gateway's share of the latency.`,
      `Subscribers live in one separate process, ${SUBSCRIPTIONS_PER_CONNECTION} subscriptions per graphql-ws connection; the gateway runs with GATEWAY_WS_MAX_SUBSCRIPTIONS=${SUBSCRIPTIONS_PER_CONNECTION} and GATEWAY_RATE_LIMIT_POINTS=100000000 (rate limit out of the way).`,
      ...profiles.notes,
    ],
    data: { rows, redisRows, drain, profiles: profiles.data },
  };
};
