import { MAX_DELIVERY_ATTEMPTS } from '../schema';

/** How transiently failing messages are retried. */
export interface RetryPolicy {
  /** Wait before the 2nd attempt; each later wait doubles. */
  baseDelayMs: number;
  /** Longest single wait. */
  maxDelayMs: number;
  /** Attempts in all, the first included; the one after the last goes to the dead-letter queue. */
  maxAttempts: number;
}

/** What to do with a message whose attempt number `attempt` (1-based) just failed transiently. */
export type RetryDecision = { action: 'retry'; delayMs: number; nextAttempt: number } | { action: 'dead-letter' };

/** Default: 2 s, 4 s, 8 s, 16 s between 5 attempts = 30 s of waiting, so a 20 s outage never dead-letters. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
  maxAttempts: MAX_DELIVERY_ATTEMPTS,
};

/** Exponential backoff: attempt n failed → wait base × 2^(n−1) (capped), or dead-letter after the last. */
export function retryDecisionFor(attempt: number, policy: RetryPolicy): RetryDecision {
  if (attempt >= policy.maxAttempts) return { action: 'dead-letter' };
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return { action: 'retry', delayMs, nextAttempt: attempt + 1 };
}
