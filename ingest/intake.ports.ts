/**
 * What the transport-agnostic x-ray intake needs from the outside world. The real implementations talk to
 * Redis and RabbitMQ; unit tests pass in-memory ones.
 */

/** One-time nonces per device. */
export interface NonceStore {
  /** Records the nonce; false when it was already seen within the replay window. */
  claim(deviceId: string, nonce: string): Promise<boolean>;
  /** Forgets a claimed nonce, so a request that could not be stored may be retried as is. */
  release(deviceId: string, nonce: string): Promise<void>;
}

/** Outcome of asking the per-device rate limit for one request. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Per-device request quota, shared by every ingest replica. */
export interface DeviceRateLimiter {
  consume(deviceId: string): Promise<RateDecision>;
  /** Gives back one request's quota (its message was not stored, so the retry should not pay twice). */
  refund(deviceId: string): Promise<void>;
}

/** A raw x-ray message ready for the broker. */
export interface RawXRayEnvelope {
  messageId: string;
  correlationId: string;
  deviceId: string;
  /** `X-Timestamp` as sent. */
  timestamp: string;
  nonce: string;
  signature: string;
  acceptedAt: number;
  /** The body bytes exactly as received: the processor re-verifies the signature over them. */
  body: Buffer;
}

/** Publishes a message and resolves only once the broker confirmed it; rejects otherwise. */
export interface RawXRayPublisher {
  publish(envelope: RawXRayEnvelope): Promise<void>;
}

/** Thrown by a dependency that cannot answer now (broker down, Redis down, no confirm in time). */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: 'broker' | 'redis',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}
