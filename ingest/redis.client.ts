import { Redis } from 'ioredis';
import type { Logger } from '../schema';

/** Longest wait for one Redis command: a stalled Redis must turn into a 503, not a hanging request. */
const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/**
 * The Redis client of ingest. Commands fail at once while disconnected (no offline queue), so requests are answered
 * 503 instead of waiting; ioredis reconnects in the background with capped backoff.
 */
export function createIngestRedis(redisUrl: string, logger: Logger): Redis {
  const redis = new Redis(redisUrl, {
    // Commands issued by the requests handled in one turn of the event loop go out in one write:
    // each request's rate-limit and nonce commands were a socket write each, ~9 % of ingest's CPU.
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(200 * 2 ** Math.min(attempt, 5), 5_000),
  });
  let lastError: string | undefined;
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ err: error }, 'redis error');
  });
  redis.on('ready', () => {
    lastError = undefined;
    logger.info('connected to redis');
  });
  return redis;
}

/** Resolves true once `redis` is ready, false if `timeoutMs` passed first. */
export function waitForRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      redis.removeListener('ready', onReady);
      resolve(redis.status === 'ready');
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}
