import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, RunningService } from '../schema';
import { createOpsApp, createServiceRedis, waitForRedis } from '../schema';
import type { IngestConfig } from './config';
import { RedisDeviceRateLimiter } from './device-rate.limiter';
import { errorBody } from './ingest-error';
import { IngestMetrics } from './ingest.metrics';
import { RedisNonceStore } from './nonce.store';
import { BrokerRawXRayPublisher } from './raw-xray.publisher';
import { createXRayIntake } from './xray-intake.handler';
import { createXRayRouter } from './xray.router';

/**
 * How long a request may hold its nonce beyond the broker's confirm timeout: its Redis steps (each
 * bounded by the client's command timeout), reading and checking the body.
 */
const NONCE_PENDING_MARGIN_MS = 30_000;

export interface IngestDeps {
  logger: Logger;
}

/**
 * Starts ingest: Redis (nonces, rate counters), the broker publisher, and the HTTP server with `POST /v1/xray`,
 * `/healthz`, `/readyz` and `/metrics`. Waits up to `startupWaitMs` for the dependencies, then listens anyway:
 * until they answer, ingest is not ready and refuses messages with 503 while it keeps reconnecting.
 */
export async function startIngest(config: IngestConfig, deps: IngestDeps): Promise<RunningService> {
  const logger = deps.logger;
  const metrics = new IngestMetrics();
  const redis = createServiceRedis(config.redisUrl, logger);
  const publisher = await BrokerRawXRayPublisher.start({
    amqpUrl: config.amqpUrl,
    confirmTimeoutMs: config.confirmTimeoutMs,
    maxUnconfirmedBytes: config.maxUnconfirmedBytes,
    logger,
    onAvailabilityChange: (available) => metrics.setBrokerAvailable(available),
  });
  const [brokerUp, redisUp] = await Promise.all([
    publisher.waitUntilAvailable(config.startupWaitMs),
    waitForRedis(redis, config.startupWaitMs),
  ]);
  if (!brokerUp || !redisUp) {
    logger.warn(
      { broker: brokerUp, redis: redisUp },
      'starting before every dependency answered; refusing messages until they do',
    );
  }
  metrics.setBrokerAvailable(publisher.isAvailable());

  const handle = createXRayIntake({
    hmacSecret: config.hmacSecret,
    maxClockSkewMs: config.maxClockSkewMs,
    nonces: new RedisNonceStore(redis, config.namespace, {
      maxClockSkewMs: config.maxClockSkewMs,
      pendingTtlMs: config.confirmTimeoutMs + NONCE_PENDING_MARGIN_MS,
    }),
    rateLimiter: new RedisDeviceRateLimiter(redis, config.namespace, config.rateLimitPerMinute),
    publisher,
    logger,
    observePublish: (seconds, confirmed) => metrics.observePublish(seconds, confirmed),
  });

  let closing = false;
  const inFlight = new Set<Promise<unknown>>();
  const app = createOpsApp({
    registry: metrics.registry,
    checks: {
      broker: async () => {
        if (!publisher.isAvailable()) throw new Error('no usable broker connection');
      },
      redis: async () => {
        await redis.ping();
      },
    },
  });
  app.use(
    createXRayRouter({
      handle,
      bodyLimitBytes: config.bodyLimitBytes,
      metrics,
      logger,
      isClosing: () => closing,
      track: (work) => {
        inFlight.add(work);
        const forget = (): void => {
          inFlight.delete(work);
        };
        work.then(forget, forget);
      },
    }),
  );
  app.use((req, res) => {
    res.status(404).json(errorBody('NOT_FOUND', `no route ${req.method} ${req.path}`));
  });

  const server = http.createServer(app);
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'ingest listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closed ??= (async () => {
        closing = true;
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.allSettled([...inFlight]);
        await publisher.close();
        server.closeAllConnections();
        await serverClosed;
        await redis.quit().catch(() => redis.disconnect());
        logger.info('ingest stopped');
      })();
      return closed;
    },
  };
}
