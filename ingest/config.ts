import { z } from 'zod';
import {
  envHost,
  envInteger,
  envTimerMs,
  envLogLevel,
  envNamespace,
  envPort,
  envSecret,
  envUrl,
  parseEnv,
} from '../schema';

/** Shortest accepted `INGEST_HMAC_SECRET`: 32 characters, so device keys cannot be brute-forced. */
export const MIN_HMAC_SECRET_LENGTH = 32;

const ingestEnvSchema = z.object({
  INGEST_PORT: envPort(3001),
  INGEST_HOST: envHost(),
  AMQP_URL: envUrl(['amqp:', 'amqps:']),
  REDIS_URL: envUrl(['redis:', 'rediss:']),
  INGEST_HMAC_SECRET: envSecret(MIN_HMAC_SECRET_LENGTH),
  XRAY_NAMESPACE: envNamespace(),
  INGEST_BODY_LIMIT_BYTES: envInteger(1024 * 1024, 1024),
  INGEST_RATE_LIMIT_PER_MINUTE: envInteger(120, 1),
  INGEST_MAX_CLOCK_SKEW_MS: envInteger(300_000, 1_000),
  INGEST_CONFIRM_TIMEOUT_MS: envTimerMs(5_000, 100),
  INGEST_MAX_UNCONFIRMED_BYTES: envInteger(64 * 1024 * 1024, 1024 * 1024),
  INGEST_STARTUP_WAIT_MS: envTimerMs(10_000, 0),
  LOG_LEVEL: envLogLevel(),
});

/** Everything ingest reads from its environment, parsed once at startup. */
export interface IngestConfig {
  /** `INGEST_PORT`: HTTP port (default 3001; 0 picks a free one). */
  port: number;
  /** `INGEST_HOST`: interface to listen on (default `0.0.0.0`). */
  host: string;
  /** `AMQP_URL`: RabbitMQ (required). */
  amqpUrl: string;
  /** `REDIS_URL`: Redis for nonces and rate counters (required). */
  redisUrl: string;
  /** `INGEST_HMAC_SECRET`: the fleet secret every device key derives from (required, >= 32 characters). */
  hmacSecret: string;
  /** `XRAY_NAMESPACE`: prefix of every Redis key (default `xray`). */
  namespace: string;
  /** `INGEST_BODY_LIMIT_BYTES`: largest accepted body; larger ones get 413 (default 1 MiB). */
  bodyLimitBytes: number;
  /** `INGEST_RATE_LIMIT_PER_MINUTE`: accepted requests per device per minute, shared by all replicas (default 120). */
  rateLimitPerMinute: number;
  /**
   * `INGEST_MAX_CLOCK_SKEW_MS`: largest |now − X-Timestamp| accepted (default 300,000 = 5 min). Nonces are kept
   * twice this long (a timestamp stays acceptable that long after its first use), so a request can never be
   * replayed after its nonce expired.
   */
  maxClockSkewMs: number;
  /** `INGEST_CONFIRM_TIMEOUT_MS`: how long a publish may wait for the broker's confirm before 503 (default 5,000). */
  confirmTimeoutMs: number;
  /**
   * `INGEST_MAX_UNCONFIRMED_BYTES`: most message bytes published and not yet confirmed (default 64 MiB).
   * Past it a request is refused at once with 503: a broker that stopped keeping up must not make
   * ingest hold every body it is sent until it runs out of memory.
   */
  maxUnconfirmedBytes: number;
  /**
   * `INGEST_STARTUP_WAIT_MS`: how long start-up waits for the broker and Redis before listening anyway (answering
   * 503 and not ready until they answer, while reconnecting in the background; default 10,000).
   */
  startupWaitMs: number;
  /** `LOG_LEVEL`: pino level (default `info`). */
  logLevel: string;
}

/** Parses ingest's environment; throws one line naming the first bad variable. */
export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const e = parseEnv(ingestEnvSchema, env, 'ingest');
  return {
    port: e.INGEST_PORT,
    host: e.INGEST_HOST,
    amqpUrl: e.AMQP_URL,
    redisUrl: e.REDIS_URL,
    hmacSecret: e.INGEST_HMAC_SECRET,
    namespace: e.XRAY_NAMESPACE,
    bodyLimitBytes: e.INGEST_BODY_LIMIT_BYTES,
    rateLimitPerMinute: e.INGEST_RATE_LIMIT_PER_MINUTE,
    maxClockSkewMs: e.INGEST_MAX_CLOCK_SKEW_MS,
    confirmTimeoutMs: e.INGEST_CONFIRM_TIMEOUT_MS,
    maxUnconfirmedBytes: e.INGEST_MAX_UNCONFIRMED_BYTES,
    startupWaitMs: e.INGEST_STARTUP_WAIT_MS,
    logLevel: e.LOG_LEVEL,
  };
}
