import type { Redis } from 'ioredis';
import { DependencyUnavailableError, type NonceClaim, type NonceStore } from './intake.ports';

/** Redis key of one device's nonce. */
export function nonceKeyFor(namespace: string, deviceId: string, nonce: string): string {
  return `${namespace}:ingest:nonce:${deviceId}:${nonce}`;
}

/** Value of a nonce a request holds while it is processed; any other value means used. */
const PENDING_PREFIX = 'pending:';

/** 1 claimed, 0 used, 2 held by a request in flight. */
const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
local held = redis.call('GET', KEYS[1])
if held == false or string.sub(held, 1, ${PENDING_PREFIX.length}) == '${PENDING_PREFIX}' then return 2 end
return 0`;

/** Marks the nonce used, unless another request holds it (the holder's own claim may have expired). */
const KEEP_SCRIPT = `
local held = redis.call('GET', KEYS[1])
if held == false or held == ARGV[1] then redis.call('SET', KEYS[1], 'used', 'PX', ARGV[2]) end
return 1`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisNonceStoreOptions {
  /** Largest |now − X-Timestamp| accepted: a used nonce is kept twice as long. */
  maxClockSkewMs: number;
  /**
   * How long a request may hold its nonce before it is answered. A claim its request could not
   * release (Redis dropped mid-request, a crash) lapses after this, so the device may resend.
   */
  pendingTtlMs: number;
}

/**
 * Nonces in Redis, so every replica sees the same ones (one round trip per step, each a script).
 * A request is acceptable while |now − X-Timestamp| <= skew, i.e. for up to twice the skew after its
 * first use, so a used nonce is kept that long: a replay is refused (409) for as long as its
 * timestamp would still pass.
 */
export class RedisNonceStore implements NonceStore {
  private readonly usedTtlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly options: RedisNonceStoreOptions,
  ) {
    this.usedTtlMs = 2 * options.maxClockSkewMs;
  }

  async claim(deviceId: string, nonce: string, token: string): Promise<NonceClaim> {
    const found = await this.run('could not record the nonce', CLAIM_SCRIPT, deviceId, nonce, [
      PENDING_PREFIX + token,
      String(this.options.pendingTtlMs),
    ]);
    return found === 1 ? 'claimed' : found === 2 ? 'in-flight' : 'used';
  }

  async keep(deviceId: string, nonce: string, token: string): Promise<void> {
    await this.run('could not keep the nonce', KEEP_SCRIPT, deviceId, nonce, [
      PENDING_PREFIX + token,
      String(this.usedTtlMs),
    ]);
  }

  async release(deviceId: string, nonce: string, token: string): Promise<void> {
    await this.run('could not release the nonce', RELEASE_SCRIPT, deviceId, nonce, [PENDING_PREFIX + token]);
  }

  private async run(
    failure: string,
    script: string,
    deviceId: string,
    nonce: string,
    args: string[],
  ): Promise<unknown> {
    try {
      return await this.redis.eval(script, 1, nonceKeyFor(this.namespace, deviceId, nonce), ...args);
    } catch (error) {
      throw new DependencyUnavailableError('redis', failure, { cause: error });
    }
  }
}
