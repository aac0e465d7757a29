import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

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
  /** Milliseconds until `address` may have keys looked up again; 0 when it may now. */
  retryAfterMs(address: string): Promise<number>;
  /** Counts one refused key against `address`. */
  recordFailure(address: string): Promise<void>;
}

const WINDOW_SEC = 60;

export function createAuthFailureLimiter(options: AuthFailureLimiterOptions): AuthFailureLimiter {
  if (options.failuresPerMinute === 0) {
    return { retryAfterMs: async () => 0, recordFailure: async () => undefined };
  }
  const points = options.failuresPerMinute;
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: `${options.namespace}:authfail`,
    points,
    duration: WINDOW_SEC,
    insuranceLimiter: new RateLimiterMemory({
      keyPrefix: `${options.namespace}:authfail-mem`,
      points,
      duration: WINDOW_SEC,
    }),
  });
  return {
    async retryAfterMs(address) {
      try {
        const state = await limiter.get(address);
        return state !== null && state.consumedPoints >= points ? Math.max(1, state.msBeforeNext) : 0;
      } catch (error) {
        // Unknown state: let the lookup happen rather than lock every client of this address out.
        options.logger.warn({ err: error }, 'auth failure limiter unavailable; not limiting');
        return 0;
      }
    },
    async recordFailure(address) {
      // A rejection only says the budget is spent, which retryAfterMs tells the next request.
      await limiter.consume(address, 1).catch(() => undefined);
    },
  };
}
