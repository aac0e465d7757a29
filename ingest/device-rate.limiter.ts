import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { type DeviceRateLimiter, DependencyUnavailableError, type RateDecision } from './intake.ports';

/** Per-device quota of requests per minute in Redis (rate-limiter-flexible), shared by every ingest replica. */
export class RedisDeviceRateLimiter implements DeviceRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, namespace: string, perMinute: number) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${namespace}:ingest:rate`,
      points: perMinute,
      duration: 60,
      // Fail at once when Redis is down instead of queueing: the request gets a 503, not a hang.
      rejectIfRedisNotReady: true,
    });
  }

  async consume(deviceId: string): Promise<RateDecision> {
    try {
      await this.limiter.consume(deviceId, 1);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
      throw new DependencyUnavailableError('redis', 'could not check the rate limit', { cause: rejection });
    }
  }

  async refund(deviceId: string): Promise<void> {
    try {
      await this.limiter.reward(deviceId, 1);
    } catch (error) {
      throw new DependencyUnavailableError('redis', 'could not refund the rate limit', { cause: error });
    }
  }
}
