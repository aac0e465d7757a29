import { MAX_DELIVERY_ATTEMPTS } from '../schema';

/** How transiently failing messages are retried. */
export interface RetryPolicy {
  /** Wait before the 2nd attempt; each later wait doubles. */
  baseDelayMs: number;
  /** Longest single wait. */
  maxDelayMs: number;
  /** Attempts in all, the first included; the one after the last goes to the dead-letter queue. */
  maxAttempts: number;
  /** Longest a message whose attempts are spent is held while a dependency is down (0: never). */
  maxHoldMs: number;
}

/**
 * What to do with a message whose attempt number `attempt` (1-based) just failed transiently.
 * `held`: its last attempt failed while a dependency was down, so it is tried again at the last
 * backoff, as the same attempt, rather than dead-lettered.
 */
export type RetryDecision =
  { action: 'retry'; delayMs: number; nextAttempt: number; held: boolean } | { action: 'dead-letter' };

/**
 * The defaults of the PROCESSOR_RETRY_*, PROCESSOR_MAX_ATTEMPTS and PROCESSOR_OUTAGE_HOLD_MS settings: 2 s, 4 s,
 * 8 s, 16 s between 5 attempts = 30 s of waiting, so a 20 s outage never dead-letters.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  maxAttempts: MAX_DELIVERY_ATTEMPTS,
  maxHoldMs: 86_400_000,
};

/** Whether a dependency is down as the attempt failed, and how long the message has been held already. */
export interface OutageState {
  dependencyDown: boolean;
  heldForMs: number;
}

/**
 * Exponential backoff: attempt n failed → wait base × 2^(n−1) (capped), or after the last attempt
 * dead-letter — unless a dependency is down and the message was held for less than `maxHoldMs`:
 * an outage longer than the whole schedule (30 s by default) would otherwise dead-letter every
 * message in flight, leaving them for an operator to replay. The bound sends messages on to the
 * dead-letter queue when a dependency never comes back (a wrong URL, say).
 */
export function retryDecisionFor(
  attempt: number,
  policy: RetryPolicy,
  outage: OutageState = { dependencyDown: false, heldForMs: 0 },
): RetryDecision {
  const backoffMs = (failed: number): number =>
    Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failed - 1));
  if (attempt < policy.maxAttempts)
    return { action: 'retry', delayMs: backoffMs(attempt), nextAttempt: attempt + 1, held: false };
  if (outage.dependencyDown && outage.heldForMs < policy.maxHoldMs)
    return { action: 'retry', delayMs: backoffMs(policy.maxAttempts), nextAttempt: attempt, held: true };
  return { action: 'dead-letter' };
}
