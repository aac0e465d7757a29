import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { fallbackRateLimiter } from './fallback-limiter';

export interface AuthFailureLimiterOptions {
  redis: Redis;
  /** Prefix of the Redis keys (`<namespace>:authfail:<address>`). */
  namespace: string;
  /** Refused keys per address per minute; 0 turns the limiter off. */
  failuresPerMinute: number;
  logger: Logger;
}

/**
 * Bounds how many unknown API keys one client address may try per minute. Every refused key costs
 * a database lookup, so a client cycling random keys would otherwise cost the database one read per
 * request, with no API key to charge it to. Shared by replicas through Redis; while Redis is
 * unreachable each process counts on its own.
 */
export interface AuthFailureLimiter {
  /**
   * Takes one lookup from `address`'s budget before the key is looked up, so requests sent at once
   * cannot all pass a check made before any of them failed. Resolves with 0, or with the
   * milliseconds until the address may have keys looked up again (nothing taken then).
   */
  take(address: string): Promise<number>;
  /** Gives back what {@link take} took when the key turned out valid: only refusals count. */
  giveBack(address: string): Promise<void>;
}

const WINDOW_SEC = 60;

export function createAuthFailureLimiter(options: AuthFailureLimiterOptions): AuthFailureLimiter {
  if (options.failuresPerMinute === 0) {
    return { take: async () => 0, giveBack: async () => undefined };
  }
  const points = options.failuresPerMinute;
  const limiter = fallbackRateLimiter({
    redis: options.redis,
    keyPrefix: `${options.namespace}:authfail`,
    points,
    durationSec: WINDOW_SEC,
  });
  return {
    async take(address) {
      try {
        await limiter.consume(address, 1);
        return 0;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
        // Unknown state: let the lookup happen rather than lock every client of this address out.
        options.logger.warn({ err: rejection }, 'auth failure limiter unavailable; not limiting');
        return 0;
      }
    },
    async giveBack(address) {
      await limiter.reward(address, 1).catch(() => undefined);
    },
  };
}
