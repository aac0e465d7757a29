import type { Redis } from 'ioredis';
import {
  allSignalsChannelFor,
  deviceSignalChannelFor,
  positionCorrectionsChannelFor,
  type PositionCorrectionEvent,
  type ProcessedSignalEvent,
} from '../schema';

/**
 * Announces stored signals on Redis pub/sub (the device's channel and the all-signals channel) and
 * remembers stored idempotency keys for a while, so most redeliveries skip the database.
 */
export class SignalEventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly seenKeyTtlSeconds: number,
  ) {}

  /** Publishes on both channels; resolves once Redis took both. */
  async publish(event: ProcessedSignalEvent): Promise<void> {
    await this.publishThenRemember(event);
  }

  /**
   * Publishes on both channels and then remembers the stored key, in one round trip: a MULTI runs
   * the SET after both PUBLISHes, and not at all if the connection drops before EXEC.
   */
  async publishStored(event: ProcessedSignalEvent, idempotencyKey: string): Promise<void> {
    await this.publishThenRemember(event, idempotencyKey);
  }

  private async publishThenRemember(event: ProcessedSignalEvent, idempotencyKey?: string): Promise<void> {
    const json = JSON.stringify(event);
    const transaction = this.redis
      .multi()
      .publish(deviceSignalChannelFor(this.namespace, event.deviceId), json)
      .publish(allSignalsChannelFor(this.namespace), json);
    if (idempotencyKey !== undefined) {
      transaction.set(this.seenKeyFor(idempotencyKey), event.signalId, 'EX', this.seenKeyTtlSeconds);
    }
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error !== null);
    if (results === null || failed !== undefined) {
      throw new Error(`redis did not publish the event: ${failed?.[0]?.message ?? 'transaction aborted'}`);
    }
  }

  /** Announces a device's newest signal after a command changed or removed some of its signals. */
  async publishPositionCorrection(correction: PositionCorrectionEvent): Promise<void> {
    await this.redis.publish(positionCorrectionsChannelFor(this.namespace), JSON.stringify(correction));
  }

  /** Id of the signal stored under `idempotencyKey`, if Redis still remembers it. */
  async seenSignalId(idempotencyKey: string): Promise<string | null> {
    return this.redis.get(this.seenKeyFor(idempotencyKey));
  }

  /** Remembers a stored key; only call after the database write and the publish. */
  async rememberSeen(idempotencyKey: string, signalId: string): Promise<void> {
    await this.redis.set(this.seenKeyFor(idempotencyKey), signalId, 'EX', this.seenKeyTtlSeconds);
  }

  async forget(idempotencyKey: string): Promise<void> {
    await this.redis.del(this.seenKeyFor(idempotencyKey));
  }

  private seenKeyFor(idempotencyKey: string): string {
    return `${this.namespace}:processor:seen:${idempotencyKey}`;
  }
}
