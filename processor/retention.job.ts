import type { mongo, Types } from 'mongoose';
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

/**
 * Deletes signals older than the retention period (counted from `ingestedAt`, so replayed history
 * lives as long as fresh data), with their raw payloads, in batches; each batch then recomputes the
 * rollups of the devices it touched, which also drops hour buckets left without signals. TTL indexes
 * would not do: FerretDB v1 has none, and they could not reach GridFS chunks or rollups anyway.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: RetentionJobOptions) {}

  /** Runs every `intervalMs` (never two runs at once); 0 disables the schedule. */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running === undefined) void this.runOnce().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
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
      for (;;) {
        const expired = (await models.signals.collection
          .find(
            { ingestedAt: { $lt: cutoff } },
            { projection: { _id: 1, deviceId: 1, rawPayloadId: 1, trackId: 1 }, limit: batchSize },
          )
          .toArray()) as unknown as Array<{
          _id: Types.ObjectId;
          deviceId: string;
          rawPayloadId: Types.ObjectId;
          trackId?: Types.ObjectId;
        }>;
        if (expired.length === 0) break;
        await writer.rewrite([...new Set(expired.map((s) => s.deviceId))], async () => {
          // Payloads and tracks first: a crash in between leaves expired signals, which the next run finds again.
          for (const signal of expired) await models.rawPayloads.delete(signal.rawPayloadId);
          await models.signalTracks.deleteMany(expired.flatMap((signal) => (signal.trackId ? [signal.trackId] : [])));
          // One equality delete per signal: FerretDB v1 turns `_id: {$in: ...}` into a table scan.
          await boundedBulkWrite(
            models.signals.collection as unknown as mongo.Collection<never>,
            expired.map((signal) => ({ deleteOne: { filter: { _id: signal._id } } })),
          );
        });
        deleted += expired.length;
        metrics.retentionDeletedSignals.inc(expired.length);
      }
      if (deleted > 0) logger.info({ deleted, cutoff }, 'retention deleted expired signals');
      return deleted;
    } catch (error) {
      logger.error({ err: error, deleted }, 'retention run failed; the next run continues');
      throw error;
    }
  }
}
