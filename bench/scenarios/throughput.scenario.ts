import { Redis } from 'ioredis';
import { allSignalsChannelFor, RAW_QUEUE, SignalModel } from '../../schema';
import type { BenchConfig } from '../bench.config';
import { stopAll, type ServiceProcess } from '../lib/child-process';
import { KeepAliveClient } from '../lib/http-client';
import { connectBenchDb, dropDatabase, queueDepth, resetVhost } from '../lib/infra';
import { waitFor } from '../lib/pacer';
import { waitForQuietInfrastructure } from '../lib/quiet-infrastructure';
import { measureRawBroker, measureRawDb, type RawRate } from '../lib/raw-limits';
import { ratio } from '../lib/report';
import {
  benchDeviceId,
  loadSampleTemplate,
  newRunTag,
  sampleBodyFor,
  signedHeadersFor,
  type SampleTemplate,
} from '../lib/sample';
import { cpuGroupsFor, cpuRows, GroupCpuMeter, type ProfileTarget, type Scenario } from '../lib/scenario';
import { profileTables, startServices } from '../lib/services';
import { MAX_CONCURRENT_BATCHES } from '../../processor/signal.writer';
import { DEFAULT_PROCESSOR_PREFETCH } from '../../processor/config';

const CONCURRENT_CLIENTS = 16;
const DEVICES = 100;
const DRAIN_WAIT_MS = 30_000;

/**
 * Each raw limit is the fastest of a few settings ("batched as well as the driver allows"): a limit
 * measured with one setting only understates what the broker or the database can do, and so
 * overstates the pipeline's ratio. The first of each list is the setting the pipeline itself comes
 * closest to (ingest's concurrent publishes; the processor's batches in flight).
 */
const RAW_BROKER_SETTINGS = [
  { window: 64, prefetch: 32 },
  { window: 256, prefetch: 256 },
  { window: 1024, prefetch: 512 },
];
const RAW_DB_SETTINGS = [
  { batch: 32, concurrency: MAX_CONCURRENT_BATCHES },
  { batch: 128, concurrency: MAX_CONCURRENT_BATCHES },
  { batch: 512, concurrency: 2 },
];

/** One raw limit measured with one setting, with the CPU of every process meanwhile. */
interface RawTrial<Setting> {
  setting: Setting;
  rate: RawRate;
  cpu: Record<string, number>;
}

/** Runs `measure` with the CPU of every process metered over it alone (not over the set-up around it). */
type Metered = (measure: () => Promise<RawRate>) => Promise<RawRate>;

/** Measures `settings` one after the other; the fastest is the limit. */
async function fastestOf<Setting>(
  settings: ReadonlyArray<Setting>,
  generatorLabel: string,
  run: (setting: Setting, metered: Metered) => Promise<RawRate>,
): Promise<{ trials: Array<RawTrial<Setting>>; best: RawTrial<Setting> }> {
  const trials: Array<RawTrial<Setting>> = [];
  for (const setting of settings) {
    let cpu: Record<string, number> = {};
    const rate = await run(setting, async (measure) => {
      const meter = new GroupCpuMeter(cpuGroupsFor({ [generatorLabel]: process.pid })).start();
      try {
        return await measure();
      } finally {
        cpu = meter.stop();
      }
    });
    trials.push({ setting, rate, cpu });
  }
  const best = trials.reduce((a, b) => (b.rate.perSecond > a.rate.perSecond ? b : a));
  return { trials, best };
}

/** One pass of the pipeline under a given processor configuration. */
interface PipelineRun {
  label: string;
  env: NodeJS.ProcessEnv;
  storedPerSecond: number;
  acceptedPerSecond: number;
  steadyStored: number;
  steadySeconds: number;
  accepted: number;
  stored: number;
  drained: boolean;
  drainSeconds: number;
  backlogAtEnd: number;
  statuses: Record<string, number>;
  cpu: Record<string, number>;
  timeline: Array<{ atMs: number; stored: number; accepted: number }>;
}

async function runPipeline(
  config: BenchConfig,
  sample: SampleTemplate,
  label: string,
  env: NodeJS.ProcessEnv,
  postingMs: number,
  profile: ProfileTarget | undefined,
): Promise<PipelineRun> {
  await resetVhost(config);
  await dropDatabase(config.mongoUrl);
  let services: Record<string, ServiceProcess> = {};
  const events = new Redis(config.redisUrl);
  const client = new KeepAliveClient(CONCURRENT_CLIENTS);
  try {
    services = await startServices(config, ['processor', 'ingest'], env, profile);
    const ingest = services.ingest as ServiceProcess;
    const processor = services.processor as ServiceProcess;
    const stored = new Set<string>();
    await events.subscribe(allSignalsChannelFor(config.namespace));
    events.on('message', (_channel: string, message: string) => {
      const signalId = (JSON.parse(message) as { signalId?: string }).signalId;
      if (signalId) stored.add(signalId);
    });
    const runTag = newRunTag();
    const baseTime = Date.now() - 3_600_000;
    const statuses: Record<string, number> = {};
    let accepted = 0;
    let serial = 0;
    const ingestUrl = `${ingest.url}/v1/xray`;
    const timeline: PipelineRun['timeline'] = [];
    const meter = new GroupCpuMeter(
      cpuGroupsFor({ ingest: ingest.pid, processor: processor.pid, 'generator (HTTP clients)': process.pid }),
    ).start();
    const startedAt = performance.now();
    const sampler = setInterval(
      () => timeline.push({ atMs: performance.now() - startedAt, stored: stored.size, accepted }),
      500,
    );
    const worker = async (): Promise<void> => {
      while (performance.now() - startedAt < postingMs) {
        const index = serial++;
        const deviceId = benchDeviceId(runTag, index % DEVICES);
        const body = sampleBodyFor(sample, deviceId, baseTime + index);
        const answer = await client.request(
          ingestUrl,
          'POST',
          signedHeadersFor(config.hmacSecret, deviceId, body),
          body,
        );
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status === 202) accepted += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_CLIENTS }, worker));
    const postedMs = performance.now() - startedAt;
    const cpu = meter.stop();
    timeline.push({ atMs: postedMs, stored: stored.size, accepted });
    const backlogAtEnd = await queueDepth(config, RAW_QUEUE).catch(() => -1);
    const drained = await waitFor(() => stored.size >= accepted, DRAIN_WAIT_MS, 100);
    const drainSeconds = (performance.now() - startedAt - postedMs) / 1000;
    clearInterval(sampler);
    // Steady state: from a quarter into the posting window to its end.
    const steadyFrom = timeline.find((point) => point.atMs >= postedMs / 4) ?? timeline[0];
    const steadyTo = [...timeline].reverse().find((point) => point.atMs <= postedMs) ?? timeline[timeline.length - 1];
    if (!steadyFrom || !steadyTo || steadyTo.atMs <= steadyFrom.atMs)
      throw new Error('pipeline window too short to measure');
    const steadySeconds = (steadyTo.atMs - steadyFrom.atMs) / 1000;
    return {
      label,
      env,
      storedPerSecond: (steadyTo.stored - steadyFrom.stored) / steadySeconds,
      acceptedPerSecond: (steadyTo.accepted - steadyFrom.accepted) / steadySeconds,
      steadyStored: steadyTo.stored - steadyFrom.stored,
      steadySeconds,
      accepted,
      stored: stored.size,
      drained,
      drainSeconds,
      backlogAtEnd,
      statuses,
      cpu,
      timeline,
    };
  } finally {
    client.close();
    events.disconnect();
    await stopAll(Object.values(services));
  }
}

/** Scenario 1: signed sample-sized messages through ingest → RabbitMQ → processor → DB, beside raw broker and raw DB. */
export const throughputScenario: Scenario = async ({ config, options, profile, log }) => {
  const sample = loadSampleTemplate(config.samplePath);
  const rawWindowMs = options.quick ? 6_000 : 10_000;
  const postingMs = options.quick ? 15_000 : 25_000;

  log('raw broker limit');
  const brokerTrials = await fastestOf(
    RAW_BROKER_SETTINGS,
    'generator (publisher + consumer)',
    async (setting, metered) => {
      await resetVhost(config);
      return metered(() => measureRawBroker(config.amqpUrl, sample.raw, { durationMs: rawWindowMs, ...setting }));
    },
  );
  const broker = brokerTrials.best.rate;
  const brokerCpu = brokerTrials.best.cpu;

  log('raw DB limit');
  const writeRaw = async (
    setting: { batch: number; concurrency: number },
    withRollups: boolean,
    metered: Metered = (measure) => measure(),
  ) => {
    await dropDatabase(config.mongoUrl);
    const connection = await connectBenchDb(config);
    try {
      await connection.model(SignalModel.modelName, SignalModel.schema).createIndexes();
      // The database dropped by the trial before may still be worked off (vacuum, checkpoint).
      await waitForQuietInfrastructure();
      return await metered(() =>
        measureRawDb(connection, sample, { durationMs: rawWindowMs, ...setting, withRollups }),
      );
    } finally {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  };
  const databaseTrials = await fastestOf(RAW_DB_SETTINGS, 'generator (driver writes)', (setting, metered) =>
    writeRaw(setting, false, metered),
  );
  const database = databaseTrials.best.rate;
  const databaseCpu = databaseTrials.best.cpu;
  // Diagnostic beside (b): the same writes plus the rollup upserts the pipeline also owes per batch,
  // with the setting that gave the limit.
  log('raw DB limit with rollups');
  const databaseWithRollups = await writeRaw(databaseTrials.best.setting, true);

  // The defaults, then a larger prefetch: the processor batches what is in flight and merges the
  // rollups of every message waiting for them, so prefetch bounds both.
  const defaultsLabel = `defaults (PROCESSOR_PREFETCH=${DEFAULT_PROCESSOR_PREFETCH})`;
  const largerPrefetch = String(DEFAULT_PROCESSOR_PREFETCH * 2);
  const passes: Array<[string, NodeJS.ProcessEnv]> = options.quick
    ? [[defaultsLabel, {}]]
    : [
        [defaultsLabel, {}],
        [`PROCESSOR_PREFETCH=${largerPrefetch}`, { PROCESSOR_PREFETCH: largerPrefetch }],
      ];
  const runs: PipelineRun[] = [];
  for (const [label, env] of passes) {
    log(`pipeline: ${label}`);
    await waitForQuietInfrastructure();
    runs.push(
      await runPipeline(config, sample, label, env, postingMs, label.startsWith('defaults') ? profile : undefined),
    );
  }
  const profiles = profileTables(profile, ['processor', 'ingest']);
  const limit = Math.min(broker.perSecond, database.perSecond);
  const best = runs.reduce((a, b) => (b.storedPerSecond > a.storedPerSecond ? b : a));
  const defaults = runs[0] as PipelineRun;
  const pipelineRatio = ratio(defaults.storedPerSecond, limit);
  const bestRatio = ratio(best.storedPerSecond, limit);
  const cpuTable = (title: string, cpu: Record<string, number>) => ({
    title,
    columns: ['process', 'CPU % of one core'],
    rows: cpuRows(cpu),
  });
  return {
    id: 'throughput',
    title: '1. Pipeline throughput',
    goal: 'pipeline / min(raw broker, raw DB) ≥ 0.8',
    outcome: pipelineRatio !== null && pipelineRatio >= 0.8 ? 'met' : 'missed',
    headline: `${defaults.storedPerSecond.toFixed(1)} stored/s (defaults)${best !== defaults ? `, ${best.storedPerSecond.toFixed(1)} with ${best.label}` : ''} vs raw broker ${broker.perSecond.toFixed(0)}/s, raw DB ${database.perSecond.toFixed(0)}/s → ratio ${pipelineRatio ?? '—'}${best !== defaults ? ` (${bestRatio})` : ''}`,
    tables: [
      {
        columns: ['path', 'messages/s', 'count', 'seconds', 'ratio to min(a, b)'],
        rows: [
          ...runs.flatMap((run): Array<Array<string | number | null>> => [
            [
              `pipeline, ${run.label}: stored/s at steady state`,
              run.storedPerSecond,
              run.steadyStored,
              run.steadySeconds,
              ratio(run.storedPerSecond, limit),
            ],
            [`pipeline, ${run.label}: accepted (202)/s, same window`, run.acceptedPerSecond, null, null, null],
          ]),
          ...brokerTrials.trials.map(({ setting, rate }) => [
            `(a) raw broker: publish with confirms (${setting.window} unconfirmed) + consume with ack (prefetch ${setting.prefetch}), same bytes${rate === broker ? ' — the limit' : ''}`,
            rate.perSecond,
            rate.count,
            rate.seconds,
            null,
          ]),
          ...databaseTrials.trials.map(({ setting, rate }) => [
            `(b) raw DB: signal and track docs insertMany(${setting.batch}) + gzipped payloads in GridFS format (insertMany chunks + files), ${setting.concurrency} batches in flight${rate === database ? ' — the limit' : ''}`,
            rate.perSecond,
            rate.count,
            rate.seconds,
            null,
          ]),
          [
            `diagnostic: (b) with insertMany(${databaseTrials.best.setting.batch}) plus the rollup upserts (device, device-hour, fleet-hour; bulkWrite ≤ 32)`,
            databaseWithRollups.perSecond,
            databaseWithRollups.count,
            databaseWithRollups.seconds,
            ratio(defaults.storedPerSecond, databaseWithRollups.perSecond),
          ],
        ],
      },
      ...runs.map((run) => cpuTable(`CPU while the pipeline ran (${run.label})`, run.cpu)),
      cpuTable('CPU during the raw broker limit (its fastest setting)', brokerCpu),
      cpuTable('CPU during the raw DB limit (its fastest setting)', databaseCpu),
      ...profiles.tables,
    ],
    notes: [
      `${CONCURRENT_CLIENTS} concurrent HTTP clients posted the real sample (${sample.raw.byteLength} bytes, 563 samples), signed, for ${DEVICES} fresh devices, ${postingMs / 1000} s per pass; stored counted from the processor's published events (deduplicated by signal id).`,
      ...runs.map(
        (run) =>
          `${run.label}: answers ${JSON.stringify(run.statuses)}; accepted ${run.accepted}, stored ${run.stored}; messages RabbitMQ had not yet delivered when posting stopped ${run.backlogAtEnd}; ${run.drained ? `everything stored ${run.drainSeconds.toFixed(1)} s after posting stopped` : `${run.accepted - run.stored} still queued ${DRAIN_WAIT_MS / 1000} s after posting stopped (the processor is the slower stage; the vhost is reset afterwards)`}.`,
      ),
      'The raw DB limit (b) writes the same documents as the issue defines it, without the rollups; the diagnostic row adds the rollup upserts a batch implies (merged per device and hour), so the gap between it and the pipeline is what the pipeline itself adds (round trips in sequence, markers, Redis, acks). Its ratio column compares the defaults pass with it.',
      ...profiles.notes,
    ],
    data: {
      broker,
      database,
      brokerTrials: brokerTrials.trials,
      databaseTrials: databaseTrials.trials,
      databaseWithRollups,
      runs,
      ratio: pipelineRatio,
      bestRatio,
      cpu: { brokerCpu, databaseCpu },
      profiles: profiles.data,
    },
  };
};
