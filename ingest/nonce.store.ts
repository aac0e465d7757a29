import type { Redis } from 'ioredis';
import { DependencyUnavailableError, type NonceStore } from './intake.ports';

/** Redis key of one device's nonce. */
export function nonceKeyFor(namespace: string, deviceId: string, nonce: string): string {
  return `${namespace}:ingest:nonce:${deviceId}:${nonce}`;
}

/**
 * Nonces in Redis with `SET NX EX`, so every replica sees the same ones. A request is acceptable while
 * |now − X-Timestamp| <= skew, i.e. for up to twice the skew after its first use, so the nonce is kept that
 * long: a replay is refused (409) for as long as its timestamp would still pass.
 */
export class RedisNonceStore implements NonceStore {
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    maxClockSkewMs: number,
  ) {
    this.ttlSeconds = Math.ceil((2 * maxClockSkewMs) / 1000);
  }

  async claim(deviceId: string, nonce: string): Promise<boolean> {
    try {
      const set = await this.redis.set(nonceKeyFor(this.namespace, deviceId, nonce), '1', 'EX', this.ttlSeconds, 'NX');
      return set === 'OK';
    } catch (error) {
      throw new DependencyUnavailableError('redis', 'could not record the nonce', { cause: error });
    }
  }

  async release(deviceId: string, nonce: string): Promise<void> {
    try {
      await this.redis.del(nonceKeyFor(this.namespace, deviceId, nonce));
    } catch (error) {
      throw new DependencyUnavailableError('redis', 'could not release the nonce', { cause: error });
    }
  }
}
