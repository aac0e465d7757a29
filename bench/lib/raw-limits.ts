import { gzipSync } from 'node:zlib';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mongoose, { type Connection, type mongo, type Types } from 'mongoose';
import { coalescedIncrementsFor, type RollupUpdate } from '../../processor/rollup-increments';
import { MAX_STATEMENTS_PER_BULK } from '../../processor/bounded-bulk-write';
import { GZIP_LEVEL } from '../../processor/raw-payload.store';
import { writeRetryingUpsertRaces } from '../../processor/rollup.store';
import { contributionOf, type SignalDocument } from '../../processor/signal-document';
import { RAW_PAYLOAD_BUCKET } from '../../schema';
import { LatencyRecorder, wallClockMs, type LatencySummary } from './histogram';
import { paced, waitFor } from './pacer';
import { SteadyWindow } from './steady-window';
import { relativeTrackOf, signalDocumentsFor } from './signal-docs';
import type { SampleTemplate } from './sample';

/** A raw limit: messages (or documents) per second moved end to end. */
export interface RawRate {
  perSecond: number;
  count: number;
  seconds: number;
}

/**
 * RabbitMQ alone: publish persistent messages of `body` with publisher confirms (at most `window`
 * unconfirmed, as `window` concurrent ingest requests would) into a quorum queue like the real one,
 * and consume them with manual acks (prefetch `prefetch`). Rate = messages acked between 25 % and
 * 100 % of the publishing window / that time: the steady state, as the pipeline is counted.
 */
export async function measureRawBroker(
  amqpUrl: string,
  body: Buffer,
  options: { durationMs: number; window: number; prefetch: number },
): Promise<RawRate> {
  const connection = await amqp.connect(amqpUrl);
  const queue = 'bench.raw-limit.q';
  try {
    const setup = await connection.createChannel();
    await setup.deleteQueue(queue).catch(() => undefined);
    const setup2 = await connection.createChannel();
    await setup2.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const consumer = await connection.createChannel();
    await consumer.prefetch(options.prefetch);
    let acked = 0;
    const steady = new SteadyWindow(options.durationMs);
    await consumer.consume(queue, (message) => {
      if (!message) return;
      consumer.ack(message);
      acked += 1;
      steady.record(acked);
    });
    const publisher = await connection.createConfirmChannel();
    let published = 0;
    let inFlight = 0;
    const startedAt = performance.now();
    steady.start(startedAt);
    await new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        while (inFlight < options.window && performance.now() - startedAt < options.durationMs) {
          inFlight += 1;
          published += 1;
          publisher.publish(
            '',
            queue,
            body,
            { persistent: true, contentType: 'application/json', headers: { 'x-device-id': 'raw' } },
            (error) => {
              inFlight -= 1;
              if (error) reject(new Error(`broker refused a publish: ${String(error)}`));
              else pump();
            },
          );
        }
        if (inFlight === 0) resolve();
      };
      pump();
    });
    await waitFor(() => acked >= published, 60_000, 20);
    await setup2.deleteQueue(queue).catch(() => undefined);
    return steady.rate();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * The database alone: the same signal documents (binary track of the sample) and gzipped raw payloads
 * written through the driver, `batch` messages per round trip with `concurrency` rounds in flight.
 * Payloads go in GridFS format (bucket raw_payloads; one chunk each, as a gzipped sample is far below
 * the 255 KiB chunk size) with one insertMany into `.chunks` and one into `.files` per batch, the
 * fastest the driver allows. Rollup updates are not included (the pipeline does them too).
 */
export async function measureRawDb(
  connection: Connection,
  sample: SampleTemplate,
  options: { durationMs: number; batch: number; concurrency: number; withRollups?: boolean },
): Promise<RawRate> {
  // At the processor's level: the same bytes as the pipeline stores.
  const gzipped = gzipSync(sample.raw, { level: GZIP_LEVEL });
  const devices = connection.collection('devices');
  const buckets = connection.collection('hour_buckets');
  const relative = relativeTrackOf(sample.message);
  const chunks = connection.collection(`${RAW_PAYLOAD_BUCKET}.chunks`);
  const files = connection.collection(`${RAW_PAYLOAD_BUCKET}.files`);
  await chunks.createIndex({ files_id: 1, n: 1 }, { unique: true });
  await files.createIndex({ filename: 1, uploadDate: 1 });
  const signals = connection.collection('signals');
  const tracks = connection.collection('signal_tracks');
  let written = 0;
  let serial = 0;
  const startedAt = performance.now();
  const steady = new SteadyWindow(options.durationMs).start(startedAt);
  const worker = async (): Promise<void> => {
    while (performance.now() - startedAt < options.durationMs) {
      const ids = Array.from({ length: options.batch }, () => serial++);
      const payloadIds = ids.map(() => new mongoose.Types.ObjectId());
      const uploadDate = new Date();
      const ingestedAt = new Date();
      const stored = ids.map((id, index) =>
        signalDocumentsFor({
          deviceId: `raw-limit-${id % 100}`,
          time: 1_700_000_000_000 + id * 1000,
          relative,
          dataVolume: sample.raw.byteLength,
          rawPayloadId: payloadIds[index] as Types.ObjectId,
          ingestedAt,
        }),
      );
      // Independent of each other, as in the processor: payload chunks, files and tracks at once,
      // then the signals that name them.
      await Promise.all([
        chunks.insertMany(
          payloadIds.map((id) => ({ files_id: id, n: 0, data: new mongoose.mongo.Binary(gzipped) })),
          { ordered: false },
        ),
        files.insertMany(
          payloadIds.map((id) => ({
            _id: id,
            length: gzipped.byteLength,
            chunkSize: gzipped.byteLength,
            uploadDate,
            filename: `${id.toHexString()}.json.gz`,
            metadata: { contentEncoding: 'gzip' },
          })),
          { ordered: false },
        ),
        tracks.insertMany(
          stored.map((s) => s.track),
          { ordered: false },
        ),
      ]);
      const documents = stored.map((s) => s.signal);
      await signals.insertMany(documents, { ordered: false });
      if (options.withRollups) await upsertRollups(devices, buckets, documents);
      written += ids.length;
      steady.record(written);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return steady.rate();
}

/**
 * The rollup upserts a batch implies, merged by the processor's own coalescedIncrementsFor (one per
 * device, device-hour and fleet-hour), in bulkWrites of at most MAX_STATEMENTS_PER_BULK statements
 * (FerretDB deadlocks on large update commands).
 */
async function upsertRollups(
  devices: mongo.Collection,
  buckets: mongo.Collection,
  documents: ReadonlyArray<SignalDocument>,
): Promise<void> {
  const increments = coalescedIncrementsFor(documents.map(contributionOf));
  const inBulks = async (collection: mongo.Collection, statements: RollupUpdate[]): Promise<void> => {
    // Two workers may create the same new bucket at once: re-run the statements that lost that race, as the processor does.
    for (let index = 0; index < statements.length; index += MAX_STATEMENTS_PER_BULK) {
      await writeRetryingUpsertRaces(collection as never, statements.slice(index, index + MAX_STATEMENTS_PER_BULK));
    }
  };
  await Promise.all([inBulks(devices, increments.devices), inBulks(buckets, increments.hourBuckets)]);
}

/** Redis alone: PUBLISH → SUBSCRIBE latency of `payload` at `ratePerSecond` for `durationMs`. */
export async function measureRedisPubSubLatency(
  redisUrl: string,
  channel: string,
  payload: string,
  ratePerSecond: number,
  durationMs: number,
): Promise<LatencySummary> {
  const subscriber = new Redis(redisUrl, { lazyConnect: true });
  const publisher = new Redis(redisUrl, { lazyConnect: true });
  try {
    await subscriber.connect();
    await publisher.connect();
    const recorder = new LatencyRecorder();
    await subscriber.subscribe(channel);
    subscriber.on('message', (_channel: string, message: string) => {
      const sentAt = Number(message.slice(0, message.indexOf('|')));
      recorder.recordMs(wallClockMs() - sentAt);
    });
    const sent = await paced(ratePerSecond, durationMs, () => {
      void publisher.publish(channel, `${wallClockMs()}|${payload}`);
    });
    await waitFor(() => recorder.count >= sent, 10_000, 20);
    return recorder.summary();
  } finally {
    subscriber.disconnect();
    publisher.disconnect();
  }
}
