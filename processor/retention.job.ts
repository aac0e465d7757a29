import type { Types } from 'mongoose';
import type { Logger } from '../schema';
import { boundedBulkWrite } from './bounded-bulk-write';
import type { ProcessorMetrics } from './processor.metrics';
import type { ProcessorModels } from './processor.models';
import type { SignalWriter } from './signal.writer';

const DAY_MS = 86_400_000;

export interface RetentionJobOptions {
  models: ProcessorModels;
  writer: SignalWriter;
  metrics: ProcessorMetrics;
  logger: Logger;
  retentionDays: number;
  batchSize: number;
  now?: () => number;
}

/** What the retention job reads of an expired signal. */
interface ExpiredSignal {
  _id: Types.ObjectId;
  deviceId: string;
  rawPayloadId: Types.ObjectId;
  trackId?: Types.ObjectId;
  ingestedAt: Date;
}

/**
 * Deletes signals older than the retention period (counted from `ingestedAt`, so replayed history
 * lives as long as fresh data), with their raw payloads, in batches; each batch then recomputes the
 * rollups of the devices it touched, which also drops hour buckets left without signals. TTL indexes
 * would not do: FerretDB v1 has none, and they could not reach GridFS chunks or rollups anyway.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  /** Set by `stop`: a run ends after the batch under way (a first run over a large history has many). */
  private stopping = false;

  constructor(private readonly options: RetentionJobOptions) {}

  /** Runs every `intervalMs` (never two runs at once); 0 disables the schedule. */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running === undefined) void this.runOnce().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a run in progress to finish its batch under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Deletes everything expired now; resolves with the number of signals deleted. */
  runOnce(): Promise<number> {
    if (this.running !== undefined) return this.running;
    const run = this.deleteExpired().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async deleteExpired(): Promise<number> {
    const { models, writer, metrics, logger, batchSize } = this.options;
    const cutoff = new Date((this.options.now ?? Date.now)() - this.options.retentionDays * DAY_MS);
    let deleted = 0;
    try {
      // Each batch is complete in itself (its signals, payloads, tracks and rollups): stopping
      // between two leaves the rest for the next run.
      while (!this.stopping) {
        const projection = { _id: 1, deviceId: 1, rawPayloadId: 1, trackId: 1, ingestedAt: 1 };
        const expired = (await models.signals.collection
          .find({ ingestedAt: { $lt: cutoff } }, { projection, limit: batchSize })
          .toArray()) as unknown as ExpiredSignal[];
        if (expired.length === 0) break;
        const devices = new Set(expired.map((s) => s.deviceId));
        const removed = await writer.rewrite([...devices], async () => {
          // Read again under the lock: an update since the scan may have replaced a signal's payload
          // and track (deleting the old ones would orphan the new), deleted it, or moved it to a
          // device this rewrite does not cover (the next scan finds it again).
          const current: ExpiredSignal[] = [];
          for (const { _id } of expired) {
            const signal = (await models.signals.collection.findOne({ _id }, { projection })) as ExpiredSignal | null;
            if (signal && signal.ingestedAt < cutoff && devices.has(signal.deviceId)) current.push(signal);
          }
          // Payloads and tracks first: a crash in between leaves expired signals, which the next run finds again.
          for (const signal of current) await models.rawPayloads.delete(signal.rawPayloadId);
          await models.signalTracks.deleteMany(current.flatMap((signal) => (signal.trackId ? [signal.trackId] : [])));
          // One equality delete per signal: FerretDB v1 turns `_id: {$in: ...}` into a table scan.
          await boundedBulkWrite(
            models.signals.collection,
            current.map((signal) => ({ deleteOne: { filter: { _id: signal._id } } })),
          );
          return current.length;
        });
        deleted += removed;
        metrics.retentionDeletedSignals.inc(removed);
      }
      if (deleted > 0) logger.info({ deleted, cutoff }, 'retention deleted expired signals');
      return deleted;
    } catch (error) {
      logger.error({ err: error, deleted }, 'retention run failed; the next run continues');
      throw error;
    }
  }
}
