import { Types, type mongo } from 'mongoose';
import type { Logger } from '../schema';
import type { ExclusiveGate } from './exclusive-gate';
import { GroupCommit } from './group-commit';
import { RepairRetry } from './repair-retry';
import { rawPayloadIdFor } from './idempotency-key';
import { DUPLICATE_KEY_ERROR_CODE, isDuplicateKeyError } from './processing-failure';
import type { ProcessorModels } from './processor.models';
import type { RollupContribution } from './rollup-recompute';
import { writeErrorIndexes, type RepairOutcome, type RollupStore } from './rollup.store';
import type { DerivedSignal } from './signal-derivation';
import { contributionOf, signalDocumentFor, signalTrackDocumentFor, type SignalDocument } from './signal-document';

/** What storing a derived signal came to. */
export interface StoreResult {
  /** `stored`: written now; `duplicate`: the same signal was stored before (by this or an earlier delivery). */
  outcome: 'stored' | 'duplicate';
  signal: SignalDocument;
}

/** A new signal to store. */
export interface NewSignal {
  derived: DerivedSignal;
  raw: Buffer;
  ingestedAt: number;
  correlationId?: string;
}

interface Queued {
  signal: NewSignal;
  resolve: (result: StoreResult) => void;
  reject: (error: unknown) => void;
}

type BatchEntryResult = StoreResult | { outcome: 'needs-repair'; signal: SignalDocument };

/** Most signals written in one batch (also keeps every bulk write within FerretDB's safe size). */
export const MAX_SIGNALS_PER_BATCH = 64;

/**
 * Batches writing their documents at once (see `mayStartBatch` for those waiting for rollups):
 * overlapping batches stored about 17% faster in the benchmark than one at a time. With more
 * operations under way when a database outage drops the connections, the mongodb driver's monitor
 * hangs more often (in about four 20 s outages of nine with 3); the processor reconnects its client
 * when that happens (`reconnectWhenMonitorHangs`, schema/ops/mongo-monitor.watchdog.ts), so
 * test/processor/database-outage.test.ts passes either way.
 */
export const MAX_CONCURRENT_BATCHES = 3;

/** First wait before a rollup repair runs again after a failure; it doubles while repairs fail. */
const REPAIR_RETRY_INITIAL_DELAY_MS = 1_000;
const REPAIR_RETRY_MAX_DELAY_MS = 60_000;

/**
 * Stores signals exactly once and keeps the rollups equal to a recomputation from them.
 *
 * Signals arriving together are written in batches (group commit: while batches are written the
 * next ones gather), up to {@link MAX_CONCURRENT_BATCHES} writing documents at once, so throughput
 * is bounded by the database, not by round trips. Per batch: 1. a repair marker naming the batch's
 * devices, and meanwhile the raw payloads (GridFS) and the tracks (`signal_tracks`), ids derived
 * from the idempotency keys; 2. the signals, `insertMany` unordered — the unique idempotency key is
 * the authority, a duplicate-key error means "stored before"; 3. the rollup increments, merged with
 * those of every other batch waiting for them into one statement per device and bucket (one rollup
 * write at a time: with a backlog, further batches write their documents meanwhile, so each rollup
 * write covers more signals per device and hour); 4. the marker is removed, and only then do the
 * callers hear back, so an event announces a signal the rollups already count. A marker that
 * outlives its batch (a crash, a failed write) makes the next repair recompute those devices from
 * stored signals, since their increments may have landed in part. A duplicate whose device is
 * still marked by a write that is not under way here triggers that repair at once.
 *
 * The payloads and tracks are written before the signals that reference them, never alongside: a signal
 * stored while such a write failed would point at nothing until a redelivery, and forever if
 * the message ran out of attempts. Batches run concurrently instead, so that wait overlaps others'.
 *
 * Batches run under the shared side of `gate`, repairs and rewrites under its exclusive side:
 * repairs never race this process's own increments, which commute (`$inc/$max/$min`), so
 * concurrent batches may land them in any order. Across processor
 * replicas nothing serializes them: a repair in one replica can read signals whose increments
 * another replica has not applied yet, and count them twice. Run one processor replica (scale by
 * prefetch and batch size), or accept that a repair during concurrent writes from another replica
 * is exact only once the next repair of that device runs.
 */
export class SignalWriter {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly queue: Queued[] = [];
  /** Batches writing their documents. */
  private writingBatches = 0;
  /** Batches whose documents are written, waiting for their rollups. */
  private batchesAwaitingRollups = 0;
  private pumpScheduled = false;
  /** Markers of this process's batches under way: a duplicate seeing one of them needs no repair. */
  private readonly markersUnderWay = new Set<mongo.ObjectId>();
  private readonly increments: GroupCommit<RollupContribution>;
  /** Repairs again, later, what a failed write or repair left marked. */
  private readonly repairRetry: RepairRetry;
  /**
   * Settles when the previous batch has answered its callers. Callers publish each signal's event as
   * soon as `store` answers, and `signalProcessed(since)` replays in ObjectId order, so batches answer
   * in the order their ids were made: live events then arrive in the order a replay would give them.
   */
  private previousBatchAnswered: Promise<void> = Promise.resolve();

  constructor(
    private readonly models: ProcessorModels,
    private readonly rollups: RollupStore,
    private readonly gate: ExclusiveGate,
    private readonly logger: Logger,
    /** Told which devices a repair recomputed (their positions may have moved back); never throws. */
    private readonly onRepaired: (deviceIds: string[]) => Promise<void> = async () => undefined,
  ) {
    this.increments = new GroupCommit((contributions) => this.rollups.applyIncrements(contributions));
    this.repairRetry = new RepairRetry(
      async () => (await this.repairInterrupted()).failed.size === 0,
      { initialDelayMs: REPAIR_RETRY_INITIAL_DELAY_MS, maxDelayMs: REPAIR_RETRY_MAX_DELAY_MS },
      logger,
    );
  }

  /** Stops repairing again later (waits for a repair under way). */
  async close(): Promise<void> {
    await this.repairRetry.close();
  }

  async store(signal: NewSignal): Promise<StoreResult> {
    const key = signal.derived.idempotencyKey;
    // A second delivery of a signal this process is storing right now waits for the first.
    for (let earlier = this.inFlight.get(key); earlier !== undefined; earlier = this.inFlight.get(key)) {
      await earlier.catch(() => undefined);
    }
    const work = new Promise<StoreResult>((resolve, reject) => {
      this.queue.push({ signal, resolve, reject });
    });
    this.inFlight.set(key, work);
    this.pump();
    try {
      return await work;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Runs `work` (which changes stored signals outside the increments) alone, then recomputes `deviceIds`. */
  async rewrite<T>(deviceIds: string[], work: () => Promise<T>): Promise<T> {
    return this.gate.exclusive(async () => {
      const marker = await this.rollups.mark(deviceIds);
      const repair = async (): Promise<void> => {
        try {
          await this.rollups.repairDevices(deviceIds);
          await this.rollups.unmark(marker);
        } catch (error) {
          // The marker remains: a repair runs again later.
          this.repairRetry.request();
          throw error;
        }
      };
      try {
        return await work();
      } finally {
        // Also after a failed `work`: it may have changed some signals.
        await repair();
      }
    });
  }

  /**
   * Recomputes every device an earlier crash or failed write left inconsistent. Run before consuming;
   * devices it could not recompute are tried again later.
   */
  async repairInterrupted(): Promise<RepairOutcome> {
    try {
      const outcome = await this.gate.exclusive(() => this.rollups.repairOutstanding());
      if (outcome.repaired.length > 0) {
        this.logger.warn(
          { devices: outcome.repaired.length },
          'recomputed rollups an interrupted write left half-applied',
        );
        await this.onRepaired(outcome.repaired);
      }
      if (outcome.failed.size > 0) {
        this.logger.error(
          { devices: [...outcome.failed.keys()], err: outcome.failed.values().next().value },
          'could not recompute the rollups of some devices; they stay marked and are tried again later',
        );
        this.repairRetry.request();
      }
      return outcome;
    } catch (error) {
      this.repairRetry.request();
      throw error;
    }
  }

  /**
   * Under load a freed slot waits for the messages arriving in the same turn of the event loop (one
   * socket read from RabbitMQ brings many), so it starts a full batch rather than a batch of one:
   * every batch costs the same five round trips whatever its size. Idle, a signal goes at once.
   */
  private pump(): void {
    const othersUnderWay = this.inFlight.size > this.queue.length;
    if (othersUnderWay && this.queue.length < MAX_SIGNALS_PER_BATCH) {
      if (this.pumpScheduled) return;
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.startBatches();
      });
      return;
    }
    this.startBatches();
  }

  private startBatches(): void {
    while (this.queue.length > 0 && this.mayStartBatch()) {
      this.writingBatches += 1;
      let stage: 'writing' | 'awaiting-rollups' | 'done' = 'writing';
      const documentsWritten = (): void => {
        if (stage !== 'writing') return;
        stage = 'awaiting-rollups';
        this.writingBatches -= 1;
        this.batchesAwaitingRollups += 1;
        this.pump();
      };
      const finished = (): void => {
        if (stage === 'writing') this.writingBatches -= 1;
        if (stage === 'awaiting-rollups') this.batchesAwaitingRollups -= 1;
        stage = 'done';
        this.pump();
      };
      void this.flush(this.queue.splice(0, MAX_SIGNALS_PER_BATCH), documentsWritten).finally(finished);
    }
  }

  /**
   * At most {@link MAX_CONCURRENT_BATCHES} batches write documents at once. Batches waiting for their
   * rollups count too, unless a full batch is queued: under moderate load new signals then gather
   * into fewer, larger batches (each costs the same round trips), and only a backlog starts batches
   * beside those waiting, whose rollups then merge into one write.
   */
  private mayStartBatch(): boolean {
    if (this.writingBatches >= MAX_CONCURRENT_BATCHES) return false;
    return (
      this.writingBatches + this.batchesAwaitingRollups < MAX_CONCURRENT_BATCHES ||
      this.queue.length >= MAX_SIGNALS_PER_BATCH
    );
  }

  private async flush(batch: Queued[], documentsWritten: () => void): Promise<void> {
    // Ids are made here, synchronously and in queue order, so a later batch always holds larger ids.
    const ids = batch.map(() => new Types.ObjectId());
    const earlierBatchAnswered = this.previousBatchAnswered;
    let answered!: () => void;
    this.previousBatchAnswered = new Promise<void>((resolve) => {
      answered = resolve;
    });
    try {
      const answerCallers = await this.writeAndRepair(batch, ids, documentsWritten);
      // Waiting outside the gate: an earlier batch's repair may still need the gate exclusively.
      await earlierBatchAnswered;
      answerCallers();
    } finally {
      // A macrotask later, so these callers' continuations (each up to its publish: microtasks) ran first.
      setImmediate(answered);
    }
  }

  /** Writes the batch (and repairs if needed); resolves with what answers its callers. Never rejects. */
  private async writeAndRepair(
    batch: Queued[],
    ids: ReadonlyArray<Types.ObjectId>,
    documentsWritten: () => void,
  ): Promise<() => void> {
    let results: BatchEntryResult[];
    try {
      results = await this.gate.shared(() =>
        this.writeBatch(
          batch.map((q) => q.signal),
          ids,
          documentsWritten,
        ),
      );
    } catch (error) {
      // The batch's marker may remain, its increments landed in part: those devices need a repair,
      // whether or not the messages come back.
      this.repairRetry.request();
      return () => {
        for (const queued of batch) queued.reject(error);
      };
    }
    let repairError: { error: unknown } | undefined;
    let failedDevices: ReadonlyMap<string, unknown> = new Map();
    if (results.some((r) => r.outcome === 'needs-repair')) {
      try {
        failedDevices = (await this.repairInterrupted()).failed;
      } catch (error) {
        repairError = { error };
      }
    }
    return () => {
      batch.forEach((queued, i) => {
        const result = results[i] as BatchEntryResult;
        const deviceError = failedDevices.get(result.signal.deviceId);
        if (result.outcome === 'needs-repair' && (repairError !== undefined || deviceError !== undefined)) {
          queued.reject(repairError?.error ?? deviceError);
          return;
        }
        queued.resolve({
          outcome: result.outcome === 'stored' ? 'stored' : 'duplicate',
          signal: { ...result.signal, rollupState: 'applied' },
        });
      });
    };
  }

  private async writeBatch(
    signals: ReadonlyArray<NewSignal>,
    ids: ReadonlyArray<Types.ObjectId>,
    documentsWritten: () => void,
  ): Promise<BatchEntryResult[]> {
    const docs = signals.map((signal, i) =>
      signalDocumentFor(signal.derived, {
        id: ids[i] as Types.ObjectId,
        rawPayloadId: rawPayloadIdFor(signal.derived.idempotencyKey, signal.derived.rawSha256),
        ingestedAt: signal.ingestedAt,
        ...(signal.correlationId === undefined ? {} : { correlationId: signal.correlationId }),
      }),
    );
    // The marker only has to precede the signals; payloads and tracks are idempotent and need none.
    const [marker] = await settledAll([
      this.rollups.mark(docs.map((d) => d.deviceId)),
      this.models.rawPayloads.putMany(
        docs.map((doc, i) => ({
          id: doc.rawPayloadId,
          raw: (signals[i] as NewSignal).raw,
          metadata: { deviceId: doc.deviceId, rawSha256: doc.rawSha256 },
        })),
      ),
      this.models.signalTracks.putMany(
        signals.map((signal, i) => signalTrackDocumentFor(signal.derived, docs[i] as SignalDocument)),
      ),
    ]);
    this.markersUnderWay.add(marker);
    try {
      const duplicates = await this.insertSignals(docs);
      const inserted = docs.filter((_, i) => !duplicates.has(i));
      documentsWritten();
      await this.increments.submit(inserted.map((doc) => contributionOf(doc)));
      await this.rollups.unmark(marker);

      const results: BatchEntryResult[] = [];
      for (const [i, doc] of docs.entries()) {
        results.push(duplicates.has(i) ? await this.resolveDuplicate(doc) : { outcome: 'stored', signal: doc });
      }
      return results;
    } finally {
      this.markersUnderWay.delete(marker);
    }
  }

  /** Inserts unordered; resolves with the indexes refused as duplicates. Any other failure throws. */
  private async insertSignals(docs: ReadonlyArray<SignalDocument>): Promise<Set<number>> {
    try {
      // Written `applied`: the batch's marker stands for them until their increments landed.
      await this.models.signals.collection.insertMany(
        docs.map((doc) => ({ ...doc, rollupState: 'applied' })) as never[],
        { ordered: false },
      );
      return new Set();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const indexes = writeErrorIndexes(error);
      if (indexes.length > 0) return new Set(indexes);
      // Without per-document errors only a single insert can be attributed; otherwise retry the batch.
      if (docs.length === 1 && (error as { code?: unknown }).code === DUPLICATE_KEY_ERROR_CODE) return new Set([0]);
      throw error;
    }
  }

  private async resolveDuplicate(attempted: SignalDocument): Promise<BatchEntryResult> {
    const stored = (await this.models.signals.collection.findOne({
      idempotencyKey: attempted.idempotencyKey,
    })) as SignalDocument | null;
    if (stored === null) throw new Error(`duplicate key for ${attempted.idempotencyKey} but no stored signal`);
    if (!stored.rawPayloadId.equals(attempted.rawPayloadId)) {
      // Same readings sent as other bytes: the stored signal keeps its own payload.
      await this.models.rawPayloads.delete(attempted.rawPayloadId);
    }
    if (stored.rollupState === 'pending' || (await this.rollups.isMarked(stored.deviceId, [...this.markersUnderWay]))) {
      return { outcome: 'needs-repair', signal: stored };
    }
    return { outcome: 'duplicate', signal: stored };
  }
}

/** Like `Promise.all`, but rejects only once every promise settled, so no write outlives its batch's failure. */
async function settledAll<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
