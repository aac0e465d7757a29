import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthenticatedKey } from '../auth/authenticated-key';
import { fallbackRateLimiter } from './fallback-limiter';
import type { RateLimitDecision } from './rate-limit-decision';

export interface ApiKeyRateLimiterOptions {
  redis: Redis;
  /** Prefix of the Redis keys (`<namespace>:rl:<keyId>`). */
  namespace: string;
  /** Requests per window per API key. */
  points: number;
  /** Window length, seconds. */
  durationSec: number;
  logger: Logger;
}

/** Per-API-key request budget shared by HTTP and websocket, and by every replica (Redis). */
export interface ApiKeyRateLimiter {
  consume(auth: AuthenticatedKey): Promise<RateLimitDecision>;
}

/**
 * Fixed-window limiter on Redis (rate-limiter-flexible). While Redis is unreachable a per-process
 * in-memory limiter with the same budget takes over, so an outage neither opens the gate nor
 * refuses everyone.
 */
export function createApiKeyRateLimiter(options: ApiKeyRateLimiterOptions): ApiKeyRateLimiter {
  const limit = options.points;
  const limiter = fallbackRateLimiter({
    redis: options.redis,
    keyPrefix: `${options.namespace}:rl`,
    points: limit,
    durationSec: options.durationSec,
  });
  return {
    async consume(auth) {
      try {
        const res = await limiter.consume(auth.id, 1);
        return {
          allowed: true,
          retryAfterMs: 0,
          limit,
          remaining: Math.max(0, res.remainingPoints),
          resetMs: Math.max(0, res.msBeforeNext),
        };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          const resetMs = Math.max(0, rejection.msBeforeNext);
          return { allowed: false, retryAfterMs: Math.max(1, resetMs), limit, remaining: 0, resetMs };
        }
        options.logger.error({ err: rejection }, 'rate limiter failed; letting the request through');
        return { allowed: true, retryAfterMs: 0, limit, remaining: limit, resetMs: options.durationSec * 1000 };
      }
    },
  };
}
