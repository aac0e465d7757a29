import type { Logger } from '../schema';
import type { ExclusiveGate } from './exclusive-gate';
import { rawPayloadIdFor } from './idempotency-key';
import { isDuplicateKeyError } from './processing-failure';
import type { ProcessorModels } from './processor.models';
import type { RollupStore } from './rollup.store';
import type { DerivedSignal } from './signal-derivation';
import { contributionOf, signalDocumentFor, type SignalDocument } from './signal-document';

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

/**
 * Stores signals exactly once and keeps the rollups equal to a recomputation from them.
 *
 * Per signal: raw payload (GridFS, id derived from the idempotency key) → insert `pending` (the
 * unique idempotency key is the authority) → rollup increments → `applied`. A duplicate key whose
 * stored signal is still `pending` and not in flight here means an earlier attempt died between
 * insert and `applied`: its increments may or may not have landed, so that device's rollups are
 * recomputed from stored signals instead.
 *
 * Increments run under the shared side of `gate`, repairs under its exclusive side. This makes
 * repairs safe against this process's own increments; two processor replicas repairing while the
 * other increments the same device could still race (see docs: run repairs on one replica).
 */
export class SignalWriter {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly models: ProcessorModels,
    private readonly rollups: RollupStore,
    private readonly gate: ExclusiveGate,
    private readonly logger: Logger,
  ) {}

  async store(signal: NewSignal): Promise<StoreResult> {
    const key = signal.derived.idempotencyKey;
    // A second delivery of a signal this process is storing right now waits for the first.
    for (let earlier = this.inFlight.get(key); earlier !== undefined; earlier = this.inFlight.get(key)) {
      await earlier.catch(() => undefined);
    }
    const work = this.storeOnce(signal);
    this.inFlight.set(key, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async storeOnce(signal: NewSignal): Promise<StoreResult> {
    const attempt = await this.gate.shared(() => this.insertAndIncrement(signal));
    if (attempt.outcome !== 'needs-repair') return attempt;
    this.logger.warn(
      { deviceId: attempt.signal.deviceId, signalId: attempt.signal._id.toHexString() },
      'found a signal whose rollups were interrupted; recomputing its device',
    );
    await this.gate.exclusive(() => this.rollups.repairDevices([attempt.signal.deviceId]));
    return { outcome: 'duplicate', signal: { ...attempt.signal, rollupState: 'applied' } };
  }

  private async insertAndIncrement(
    signal: NewSignal,
  ): Promise<StoreResult | { outcome: 'needs-repair'; signal: SignalDocument }> {
    const { derived } = signal;
    const rawPayloadId = rawPayloadIdFor(derived.idempotencyKey, derived.rawSha256);
    await this.models.rawPayloads.put(rawPayloadId, signal.raw, { deviceId: derived.deviceId, rawSha256: derived.rawSha256 });
    const doc = signalDocumentFor(derived, {
      rawPayloadId,
      ingestedAt: signal.ingestedAt,
      ...(signal.correlationId === undefined ? {} : { correlationId: signal.correlationId }),
    });
    try {
      await this.models.signals.collection.insertOne(doc as never);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return this.resolveDuplicate(doc);
    }
    await this.rollups.applyIncrements(contributionOf(doc));
    await this.rollups.markApplied([doc._id]);
    return { outcome: 'stored', signal: { ...doc, rollupState: 'applied' } };
  }

  private async resolveDuplicate(
    attempted: SignalDocument,
  ): Promise<StoreResult | { outcome: 'needs-repair'; signal: SignalDocument }> {
    const stored = (await this.models.signals.collection.findOne({
      idempotencyKey: attempted.idempotencyKey,
    })) as SignalDocument | null;
    if (stored === null) throw new Error(`duplicate key for ${attempted.idempotencyKey} but no stored signal`);
    if (!stored.rawPayloadId.equals(attempted.rawPayloadId)) {
      // Same readings sent as other bytes: the stored signal keeps its own payload.
      await this.models.rawPayloads.delete(attempted.rawPayloadId);
    }
    if (stored.rollupState === 'pending') return { outcome: 'needs-repair', signal: stored };
    return { outcome: 'duplicate', signal: stored };
  }

  /** Runs `work` (which changes stored signals outside the increments) alone, then recomputes `deviceIds`. */
  async rewrite<T>(deviceIds: () => Promise<string[]> | string[], work: () => Promise<T>): Promise<T> {
    return this.gate.exclusive(async () => {
      const devices = await deviceIds();
      await this.rollups.markDirty(devices);
      try {
        return await work();
      } finally {
        // Also after a failed `work`: it may have changed some signals. Should this repair fail too,
        // the dirty marks remain and the next start repairs these devices.
        await this.rollups.repairDevices(devices);
      }
    });
  }

  /** Recomputes every device left inconsistent by an earlier crash. Run before consuming. */
  async repairInterrupted(): Promise<number> {
    return this.gate.exclusive(async () => {
      const devices = await this.rollups.devicesNeedingRepair();
      await this.rollups.repairDevices(devices);
      return devices.length;
    });
  }
}
