import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

/**
 * A fixed-window limiter on Redis (shared by every replica) under `keyPrefix`, with a per-process
 * in-memory limiter of the same budget taking over while Redis is unreachable, so an outage
 * neither opens the gate nor refuses everyone.
 */
export function fallbackRateLimiter(options: {
  redis: Redis;
  keyPrefix: string;
  points: number;
  durationSec: number;
}): RateLimiterRedis {
  const { redis, keyPrefix, points, durationSec } = options;
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration: durationSec,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}-mem`, points, duration: durationSec }),
  });
}
