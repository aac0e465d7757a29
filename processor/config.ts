import { z } from 'zod';
import {
  envHost,
  envInteger,
  envTimerMs,
  envLogLevel,
  envNamespace,
  envPort,
  envPositiveNumber,
  envSecret,
  envUrl,
  parseEnv,
} from '../schema';
import { DEFAULT_RETRY_POLICY } from './retry-policy';

/**
 * Messages in flight by default. A backlog of 20-sample messages over 100 devices drained at
 * 395–440/s with 256, 640–685/s with 512 and 835–865/s with 1,000 (the processor drain in
 * `npm run bench -- --scenario latency`); with 1,000 of the 72 KB sample in flight the processor
 * held about 580 MiB.
 */
export const DEFAULT_PROCESSOR_PREFETCH = 1_000;

const processorEnvSchema = z.object({
  PROCESSOR_PORT: envPort(3002),
  PROCESSOR_HOST: envHost(),
  MONGO_URL: envUrl(['mongodb:', 'mongodb+srv:']),
  REDIS_URL: envUrl(['redis:', 'rediss:']),
  AMQP_URL: envUrl(['amqp:', 'amqps:']),
  INGEST_HMAC_SECRET: envSecret(1),
  XRAY_NAMESPACE: envNamespace(),
  PROCESSOR_PREFETCH: envInteger(DEFAULT_PROCESSOR_PREFETCH, 1, 5_000),
  PROCESSOR_MAX_SPEED_KMH: envPositiveNumber(300),
  PROCESSOR_RETRY_BASE_DELAY_MS: envTimerMs(DEFAULT_RETRY_POLICY.baseDelayMs, 1),
  PROCESSOR_RETRY_MAX_DELAY_MS: envTimerMs(DEFAULT_RETRY_POLICY.maxDelayMs, 1),
  PROCESSOR_MAX_ATTEMPTS: envInteger(DEFAULT_RETRY_POLICY.maxAttempts, 1, 100),
  PROCESSOR_OUTAGE_HOLD_MS: envInteger(DEFAULT_RETRY_POLICY.maxHoldMs, 0),
  PROCESSOR_SEEN_KEY_TTL_S: envInteger(900, 1),
  PROCESSOR_MONGO_TIMEOUT_MS: envTimerMs(5_000, 100),
  RETENTION_DAYS: envPositiveNumber(30),
  RETENTION_INTERVAL_MS: envTimerMs(3_600_000, 0),
  RETENTION_BATCH_SIZE: envInteger(200, 1, 1_000),
  LOG_LEVEL: envLogLevel(),
});

/** Everything the processor reads from its environment, parsed once at startup. */
export interface ProcessorConfig {
  /** `PROCESSOR_PORT`: port of /healthz, /readyz and /metrics (default 3002; 0 picks a free one). */
  port: number;
  /** `PROCESSOR_HOST`: interface to listen on (default `0.0.0.0`). */
  host: string;
  /** `MONGO_URL`: the Mongo-wire database, with the database name in the path (required). */
  mongoUrl: string;
  /** `REDIS_URL`: Redis for published events and seen idempotency keys (required). */
  redisUrl: string;
  /** `AMQP_URL`: RabbitMQ (required). */
  amqpUrl: string;
  /** `INGEST_HMAC_SECRET`: the fleet secret, to re-verify each message's device signature (required). */
  hmacSecret: string;
  /** `XRAY_NAMESPACE`: prefix of every Redis key and channel (default `xray`). */
  namespace: string;
  /**
   * `PROCESSOR_PREFETCH`: unacknowledged messages in flight per consumer (default 1,000). A message
   * stays unacknowledged until its rollups landed, and every rollup write merges all signals waiting
   * for one, so more in flight means fewer rollup statements per signal.
   */
  prefetch: number;
  /** `PROCESSOR_MAX_SPEED_KMH`: implied speed above which a sample is dropped as a GPS jump (default 300). */
  maxSpeedKmh: number;
  /** `PROCESSOR_RETRY_BASE_DELAY_MS`: wait before the 2nd attempt of a transiently failed message; doubles per attempt (default 2,000). */
  retryBaseDelayMs: number;
  /** `PROCESSOR_RETRY_MAX_DELAY_MS`: longest single retry wait (default 60,000). */
  retryMaxDelayMs: number;
  /** `PROCESSOR_MAX_ATTEMPTS`: attempts before a transiently failing message is dead-lettered (default 5). */
  maxAttempts: number;
  /**
   * `PROCESSOR_OUTAGE_HOLD_MS`: how long a message whose attempts are spent is held while the
   * database or Redis is down before it is dead-lettered after all (default 86,400,000 = 24 h; 0 = never held).
   */
  outageHoldMs: number;
  /** `PROCESSOR_SEEN_KEY_TTL_S`: how long Redis remembers a stored idempotency key (default 900). */
  seenKeyTtlSeconds: number;
  /** `PROCESSOR_MONGO_TIMEOUT_MS`: longest wait for a database server before an operation fails (default 5,000). */
  mongoTimeoutMs: number;
  /** `RETENTION_DAYS`: signals are deleted this many days after `ingestedAt` (default 30). */
  retentionDays: number;
  /** `RETENTION_INTERVAL_MS`: period of the retention job; 0 disables it (default 3,600,000 = hourly). */
  retentionIntervalMs: number;
  /** `RETENTION_BATCH_SIZE`: expired signals deleted per batch (default 200). */
  retentionBatchSize: number;
  /** `LOG_LEVEL`: pino level (default `info`). */
  logLevel: string;
}

/** Parses the processor's environment; throws one line naming the first bad variable. */
export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const e = parseEnv(processorEnvSchema, env, 'processor');
  return {
    port: e.PROCESSOR_PORT,
    host: e.PROCESSOR_HOST,
    mongoUrl: e.MONGO_URL,
    redisUrl: e.REDIS_URL,
    amqpUrl: e.AMQP_URL,
    hmacSecret: e.INGEST_HMAC_SECRET,
    namespace: e.XRAY_NAMESPACE,
    prefetch: e.PROCESSOR_PREFETCH,
    maxSpeedKmh: e.PROCESSOR_MAX_SPEED_KMH,
    retryBaseDelayMs: e.PROCESSOR_RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: e.PROCESSOR_RETRY_MAX_DELAY_MS,
    maxAttempts: e.PROCESSOR_MAX_ATTEMPTS,
    outageHoldMs: e.PROCESSOR_OUTAGE_HOLD_MS,
    seenKeyTtlSeconds: e.PROCESSOR_SEEN_KEY_TTL_S,
    mongoTimeoutMs: e.PROCESSOR_MONGO_TIMEOUT_MS,
    retentionDays: e.RETENTION_DAYS,
    retentionIntervalMs: e.RETENTION_INTERVAL_MS,
    retentionBatchSize: e.RETENTION_BATCH_SIZE,
    logLevel: e.LOG_LEVEL,
  };
}

/** What the dead-letter tool (`dlq.cli.ts`) reads from its environment. */
export interface DeadLetterToolConfig {
  /** `AMQP_URL`: RabbitMQ (required). */
  amqpUrl: string;
}

/** Parses the dead-letter tool's environment; throws one line naming the bad variable. */
export function loadDeadLetterToolConfig(env: NodeJS.ProcessEnv = process.env): DeadLetterToolConfig {
  const e = parseEnv(z.object({ AMQP_URL: envUrl(['amqp:', 'amqps:']) }), env, 'dead-letter tool');
  return { amqpUrl: e.AMQP_URL };
}
