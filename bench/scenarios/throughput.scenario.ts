import { Redis } from 'ioredis';
import { allSignalsChannelFor, RAW_QUEUE, SignalModel } from '../../schema';
import { stopAll, type ServiceProcess } from '../lib/child-process';
import { KeepAliveClient } from '../lib/http-client';
import { connectBenchDb, dropDatabase, queueDepth, resetVhost } from '../lib/infra';
import { waitFor } from '../lib/pacer';
import { measureRawBroker, measureRawDb } from '../lib/raw-limits';
import { ratio } from '../lib/report';
import { benchDeviceId, loadSampleTemplate, newRunTag, sampleBodyFor, signedHeadersFor } from '../lib/sample';
import { cpuGroupsFor, cpuRows, GroupCpuMeter, type Scenario } from '../lib/scenario';
import { profileTables, startServices } from '../lib/services';

const CONCURRENT_CLIENTS = 16;
const DEVICES = 100;

/** Scenario 1: signed sample-sized messages through ingest → RabbitMQ → processor → DB, beside raw broker and raw DB. */
export const throughputScenario: Scenario = async ({ config, options, profileDir, log }) => {
  const sample = loadSampleTemplate(config.samplePath);
  const rawWindowMs = options.quick ? 6_000 : 15_000;
  const postingMs = options.quick ? 15_000 : 30_000;

  log('raw broker limit');
  await resetVhost(config);
  let meter = new GroupCpuMeter(cpuGroupsFor({ 'generator (publisher + consumer)': process.pid })).start();
  const broker = await measureRawBroker(config.amqpUrl, sample.raw, { durationMs: rawWindowMs, window: 64, prefetch: 32 });
  const brokerCpu = meter.stop();

  log('raw DB limit');
  await dropDatabase(config.mongoUrl);
  const connection = await connectBenchDb(config);
  await connection.model(SignalModel.modelName, SignalModel.schema).createIndexes();
  meter = new GroupCpuMeter(cpuGroupsFor({ 'generator (driver writes)': process.pid })).start();
  const database = await measureRawDb(connection, sample, { durationMs: rawWindowMs, batch: 32, concurrency: 2 });
  const databaseCpu = meter.stop();
  await connection.dropDatabase();
  await connection.close();

  log('pipeline');
  await resetVhost(config);
  let services: Record<string, ServiceProcess> = {};
  const events = new Redis(config.redisUrl);
  const client = new KeepAliveClient(CONCURRENT_CLIENTS);
  try {
    services = await startServices(config, ['processor', 'ingest'], {}, profileDir);
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
    const ingestUrl = `${services.ingest!.url}/v1/xray`;
    const timeline: Array<{ atMs: number; stored: number; accepted: number }> = [];
    meter = new GroupCpuMeter(cpuGroupsFor({ ingest: services.ingest!.pid, processor: services.processor!.pid, 'generator (HTTP clients)': process.pid })).start();
    const startedAt = performance.now();
    const sampler = setInterval(() => timeline.push({ atMs: performance.now() - startedAt, stored: stored.size, accepted }), 500);
    const worker = async (): Promise<void> => {
      while (performance.now() - startedAt < postingMs) {
        const index = serial++;
        const deviceId = benchDeviceId(runTag, index % DEVICES);
        const body = sampleBodyFor(sample, deviceId, baseTime + index);
        const answer = await client.request(ingestUrl, 'POST', signedHeadersFor(config.hmacSecret, deviceId, body), body);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status === 202) accepted += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_CLIENTS }, worker));
    const postedMs = performance.now() - startedAt;
    const pipelineCpu = meter.stop();
    const backlogAtEnd = await queueDepth(config, RAW_QUEUE).catch(() => -1);
    const drained = await waitFor(() => stored.size >= accepted, 30_000, 100);
    const drainedMs = performance.now() - startedAt;
    clearInterval(sampler);

    // Steady state: from a quarter into the posting window to its end.
    const steadyFrom = timeline.find((point) => point.atMs >= postedMs / 4) ?? timeline[0]!;
    const steadyTo = [...timeline].reverse().find((point) => point.atMs <= postedMs) ?? timeline[timeline.length - 1]!;
    const storedPerSecond = (steadyTo.stored - steadyFrom.stored) / ((steadyTo.atMs - steadyFrom.atMs) / 1000);
    const acceptedPerSecond = (steadyTo.accepted - steadyFrom.accepted) / ((steadyTo.atMs - steadyFrom.atMs) / 1000);
    const limit = Math.min(broker.perSecond, database.perSecond);
    const pipelineRatio = ratio(storedPerSecond, limit);
    await stopAll([services.processor, services.ingest]);
    const profiles = profileTables(profileDir, ['processor', 'ingest']);

    const cpuTable = (title: string, cpu: Record<string, number>) => ({ title, columns: ['process', 'CPU % of one core'], rows: cpuRows(cpu) });
    return {
      id: 'throughput',
      title: '1. Pipeline throughput',
      goal: 'pipeline / min(raw broker, raw DB) ≥ 0.8',
      outcome: pipelineRatio !== null && pipelineRatio >= 0.8 ? 'met' : 'missed',
      headline: `${storedPerSecond.toFixed(1)} stored/s vs raw broker ${broker.perSecond.toFixed(0)}/s, raw DB ${database.perSecond.toFixed(0)}/s → ratio ${pipelineRatio ?? '—'}`,
      tables: [
        {
          columns: ['path', 'messages/s', 'count', 'seconds'],
          rows: [
            ['pipeline: stored/s at steady state (HTTP 202 → signal stored + event published)', storedPerSecond, steadyTo.stored - steadyFrom.stored, (steadyTo.atMs - steadyFrom.atMs) / 1000],
            ['pipeline: accepted (202)/s over the same window', acceptedPerSecond, steadyTo.accepted - steadyFrom.accepted, (steadyTo.atMs - steadyFrom.atMs) / 1000],
            ['(a) raw broker: publish with confirms + consume with ack, same bytes', broker.perSecond, broker.count, broker.seconds],
            ['(b) raw DB: signal docs insertMany(32) + gzipped payloads to GridFS', database.perSecond, database.count, database.seconds],
            ['pipeline / min(a, b)', pipelineRatio, null, null],
          ],
        },
        cpuTable('CPU while the pipeline ran', pipelineCpu),
        cpuTable('CPU during the raw broker limit', brokerCpu),
        cpuTable('CPU during the raw DB limit', databaseCpu),
        ...profiles.tables,
      ],
      notes: [
        `${CONCURRENT_CLIENTS} concurrent HTTP clients posted the real sample (${sample.raw.byteLength} bytes, 563 samples) signed, ${DEVICES} fresh devices, for ${postingMs / 1000} s; answers: ${JSON.stringify(statuses)}.`,
        `Accepted ${accepted}, stored ${stored.size} (counted from the processor's published events, deduplicated by signal id); ${drained ? `all stored ${((drainedMs - postedMs) / 1000).toFixed(1)} s after posting stopped` : `${accepted - stored.size} still queued 30 s after posting stopped (the processor is the slower stage; the bench vhost is deleted afterwards)`}; RabbitMQ backlog when posting stopped: ${backlogAtEnd}.`,
        'Raw DB limit writes the same documents without the rollup upserts (device + hour + fleet-hour buckets) the pipeline also performs per message; raw payload gzipped once and reused.',
        ...profiles.notes,
      ],
      data: { broker, database, storedPerSecond, acceptedPerSecond, ratio: pipelineRatio, accepted, stored: stored.size, drained, backlogAtEnd, statuses, timeline, cpu: { pipelineCpu, brokerCpu, databaseCpu }, profiles: profiles.data },
    };
  } finally {
    client.close();
    events.disconnect();
    await stopAll(Object.values(services));
  }
};
