/**
 * Seeds the bench database with signals, devices and hour buckets, straight through the driver:
 * `node dist/bench/seed.js --signals 100000 [--devices 100] [--keep]` (npm run build first).
 *
 * Signals are the real sample's track (563 points, one binary field) shifted per device, 20 minutes
 * apart per device and counted back from the newest, so a larger seed adds older history and leaves
 * "the last 24 h" unchanged. Rollups are recomputed from everything seeded and replace the stored ones.
 */
import { gzipSync } from 'node:zlib';
import mongoose, { type Connection, type Types } from 'mongoose';
import { HourBucketModel, RAW_PAYLOAD_BUCKET, SignalModel, DeviceModel } from '../schema';
import { recordAntimeridianBoxesDone } from '../processor/antimeridian-bbox.backfill';
import { recordDayFieldsDone } from '../processor/day-field.backfill';
import { recordLongestSignalSpansDone } from '../processor/signal-span.backfill';
import { loadBenchConfig } from './bench.config';
import { connectBenchDb } from './lib/infra';
import { loadSampleTemplate } from './lib/sample';
import { recomputeRollups, type RollupContribution } from '../processor/rollup-recompute';
import { contributionOf } from '../processor/signal-document';
import { relativeTrackOf, signalDocumentsFor } from './lib/signal-docs';

/** Spacing of one device's seeded signals (longer than the sample's 18.5 minutes, so tracks never overlap). */
export const SEED_SPACING_MS = 20 * 60_000;
const INSERT_BATCH = 500;
const CONCURRENT_BATCHES = 2;

/** The layout of a seeded database, enough to aim queries at it. */
export interface SeedLayout {
  devices: number;
  /** Time of every device's newest signal (device k's is `newestTime + k` seconds). */
  newestTime: number;
  deviceIds: string[];
}

/** Seeds signals with indexes [from, to) (index i → device i % devices, the (i / devices)-th newest of it). */
export class Seeder {
  /** What every seeded signal adds to the rollups, recomputed once at the end as the processor's repair does. */
  private readonly contributions: RollupContribution[] = [];
  private rawPayloadId: Types.ObjectId | undefined;

  constructor(
    private readonly connection: Connection,
    readonly layout: SeedLayout,
    private readonly sample: ReturnType<typeof loadSampleTemplate>,
  ) {}

  static layoutFor(devices: number, now = Date.now()): SeedLayout {
    const newestTime = Math.floor((now - 3_600_000) / 60_000) * 60_000;
    return {
      devices,
      newestTime,
      deviceIds: Array.from({ length: devices }, (_, k) => `seed-device-${String(k).padStart(3, '0')}`),
    };
  }

  /**
   * Creates the models' indexes (as the services would), records the `day` backfills as run (every
   * seeded document has its day, as the processor writes them), and stores the one raw payload
   * every seeded signal references.
   */
  async prepare(): Promise<void> {
    for (const model of [SignalModel, DeviceModel, HourBucketModel]) {
      await this.connection.model(model.modelName, model.schema).createIndexes();
    }
    await recordDayFieldsDone(this.connection.db!);
    await recordAntimeridianBoxesDone(this.connection.db!);
    await recordLongestSignalSpansDone(this.connection.db!);
    const bucket = new mongoose.mongo.GridFSBucket(this.connection.db!, { bucketName: RAW_PAYLOAD_BUCKET });
    const upload = bucket.openUploadStream('seed-sample.json.gz');
    await new Promise<void>((resolve, reject) =>
      upload
        .once('finish', () => resolve())
        .once('error', reject)
        .end(gzipSync(this.sample.raw)),
    );
    this.rawPayloadId = upload.id as Types.ObjectId;
  }

  /** Time of the `rank`-th newest signal of device `k`. */
  timeOf(k: number, rank: number): number {
    return this.layout.newestTime - rank * SEED_SPACING_MS + k * 1000;
  }

  /** Inserts signals [from, to); returns signals per second. */
  async seedSignals(from: number, to: number, onProgress?: (done: number) => void): Promise<number> {
    if (!this.rawPayloadId) throw new Error('prepare() first');
    const relative = relativeTrackOf(this.sample.message);
    const signals = this.connection.collection('signals');
    const tracks = this.connection.collection('signal_tracks');
    const ingestedAt = new Date();
    const startedAt = performance.now();
    let next = from;
    const worker = async (): Promise<void> => {
      while (next < to) {
        const batchStart = next;
        const batchEnd = Math.min(to, batchStart + INSERT_BATCH);
        next = batchEnd;
        const documents = [];
        const trackDocuments = [];
        for (let index = batchStart; index < batchEnd; index += 1) {
          const k = index % this.layout.devices;
          const rank = Math.floor(index / this.layout.devices);
          const { signal: document, track } = signalDocumentsFor({
            deviceId: this.layout.deviceIds[k]!,
            time: this.timeOf(k, rank),
            relative,
            dataVolume: this.sample.raw.byteLength,
            rawPayloadId: this.rawPayloadId!,
            ingestedAt,
            latShift: k * 0.01,
          });
          this.contributions.push(contributionOf(document));
          documents.push(document);
          trackDocuments.push(track);
        }
        // Tracks first, as the processor writes them.
        await tracks.insertMany(trackDocuments, { ordered: false });
        await signals.insertMany(documents, { ordered: false });
        onProgress?.(batchEnd - from);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, worker));
    return (to - from) / ((performance.now() - startedAt) / 1000);
  }

  /** Replaces the stored rollups with a recomputation from everything this seeder inserted. */
  async writeRollups(): Promise<void> {
    const devices = this.connection.collection('devices');
    const buckets = this.connection.collection('hour_buckets');
    const rollups = recomputeRollups(this.contributions);
    await devices.deleteMany({ _id: { $in: [...rollups.devices.keys()] } } as never);
    await devices.insertMany([...rollups.devices.values()] as never[], { ordered: false });
    const allBuckets = [...rollups.buckets.values()];
    await buckets.deleteMany({ _id: { $in: allBuckets.map((bucket) => bucket._id) } } as never);
    for (let index = 0; index < allBuckets.length; index += INSERT_BATCH) {
      await buckets.insertMany(allBuckets.slice(index, index + INSERT_BATCH) as never[], { ordered: false });
    }
  }
}

function argument(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const signals = Number(argument(args, '--signals') ?? 100_000);
  const devices = Number(argument(args, '--devices') ?? 100);
  if (!Number.isInteger(signals) || signals < 1 || !Number.isInteger(devices) || devices < 1) {
    throw new Error('usage: seed --signals <n> [--devices <n>] [--keep]');
  }
  const config = loadBenchConfig();
  const connection = await connectBenchDb(config);
  try {
    if (!args.includes('--keep')) await connection.dropDatabase();
    const seeder = new Seeder(connection, Seeder.layoutFor(devices), loadSampleTemplate(config.samplePath));
    await seeder.prepare();
    let lastReport = 0;
    const rate = await seeder.seedSignals(0, signals, (done) => {
      if (done - lastReport >= 10_000 || done === signals) {
        lastReport = done;
        process.stderr.write(`[seed] ${done}/${signals}\n`);
      }
    });
    await seeder.writeRollups();
    process.stdout.write(
      `${JSON.stringify({ database: config.mongoUrl.replace(/\/\/[^@]*@/, '//'), signals, devices, signalsPerSecond: Math.round(rate) })}\n`,
    );
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
