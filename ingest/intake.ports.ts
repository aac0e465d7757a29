/**
 * What the transport-agnostic x-ray intake needs from the outside world. The real implementations talk to
 * Redis and RabbitMQ; unit tests pass in-memory ones.
 */

/**
 * What claiming a nonce found: `claimed` (now held by this request), `used` (by a request answered
 * for good within the replay window), `in-flight` (held by a request still being processed).
 */
export type NonceClaim = 'claimed' | 'used' | 'in-flight';

/**
 * One-time nonces per device. A request claims its nonce under a token of its own, for at most as
 * long as a request can take; once it is answered for good the nonce is kept for the whole replay
 * window, otherwise it is released. Only the token's holder can do either, so a late call of a
 * failed attempt never touches the claim of the device's resend.
 */
export interface NonceStore {
  claim(deviceId: string, nonce: string, token: string): Promise<NonceClaim>;
  /** The request holding `token` was answered for good (202, 400): the nonce stays used for the replay window. */
  keep(deviceId: string, nonce: string, token: string): Promise<void>;
  /** Forgets the nonce if `token` still holds it, so a request that could not be stored may be resent as is. */
  release(deviceId: string, nonce: string, token: string): Promise<void>;
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
