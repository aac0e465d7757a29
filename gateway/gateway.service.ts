import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  createOpsRouter,
  MONGO_CONNECT_TIMEOUT_MS,
  reconnectWhenMonitorHangs,
  type Logger,
  type RunningService,
} from '../schema';
import { ApiKeyService } from './auth/api-key.service';
import { createGuardedAuthentication } from './auth/guarded-authentication';
import { KeySessions } from './auth/key-sessions';
import type { GatewayConfig } from './config';
import { createGatewayContext, type GatewayContext } from './context';
import { createGatewayLoaders } from './loaders/gateway-loaders';
import { createOperationCostChecker } from './cost/operation-cost';
import { operationCostPlugin } from './cost/operation-cost.plugin';
import { DayFieldReadiness } from './db/day-field-readiness';
import { bindGatewayModels } from './db/gateway-models';
import { dependencyOutagePlugin } from './errors/dependency-outage.plugin';
import { createErrorFormatter } from './errors/format-error';
import type { GatewayServices } from './gateway-services';
import { apiKeyHandler, type AuthenticatedLocals } from './http/api-key.handler';
import { bodyErrorHandler } from './http/body-error.handler';
import { rateLimitHandler } from './http/rate-limit.handler';
import { securityHeaders } from './http/security-headers';
import { tileSourceFor } from './http/tile-source';
import { createLiveFeed } from './live/live-feed';
import { createLivePubSub } from './live/live-pubsub';
import { attachWebSocketServer } from './live/ws.server';
import { createGatewayMetrics } from './metrics/gateway-metrics';
import { operationMetricsPlugin } from './metrics/operation-metrics.plugin';
import { graphiqlHandler } from './playground/graphiql.handler';
import { SignalCommandClient } from './mutations/signal-command.client';
import { createApiKeyRateLimiter } from './rate-limit/api-key-rate-limiter';
import { createAuthFailureLimiter } from './rate-limit/auth-failure-limiter';
import { buildGatewaySchema } from './schema/build-gateway-schema';

/** What the gateway needs besides its config. */
export interface GatewayDependencies {
  logger: Logger;
}

/** A started gateway; `registry` is exposed for tests reading metrics in-process. */
export interface RunningGateway extends RunningService {
  registry: Registry;
}

const GRAPHQL_PATH = '/graphql';
const READINESS_PING_MS = 1_500;
/**
 * Shortest interval between sweeps of open websocket connections for keys revoked elsewhere (one
 * store read each): with the key cache off (TTL 0), a sweep per second rather than a busy loop.
 */
const MIN_KEY_SESSION_SWEEP_MS = 1_000;
/** How often the driver checks the database is still answering. */
const DB_HEARTBEAT_MS = 2_000;
/** Longest wait for one rate-limit command before the in-memory limiter decides instead. */
const RATE_LIMIT_COMMAND_TIMEOUT_MS = 1_000;

/**
 * Starts the gateway: one HTTP server with Apollo Server at `/graphql` (queries, mutations),
 * graphql-ws on the same path (subscriptions), the dashboard at `/`, and `/healthz`, `/readyz`,
 * `/metrics`. Resolves once it listens; `close()` drains and closes everything in reverse order.
 */
export async function startGateway(config: GatewayConfig, deps: GatewayDependencies): Promise<RunningGateway> {
  // No `component` of its own: the parts below bind theirs, and pino would print both under one key.
  const logger = deps.logger;
  const closers: Array<{ name: string; close: () => Promise<unknown> }> = [];
  let closing: Promise<void> | undefined;
  const closeAll = async (): Promise<void> => {
    while (closers.length > 0) {
      const closer = closers.pop() as { name: string; close: () => Promise<unknown> };
      try {
        await closer.close();
      } catch (error) {
        logger.warn({ err: error, resource: closer.name }, 'error while closing');
      }
    }
  };

  try {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
    const metrics = createGatewayMetrics(registry);

    const connection = await mongoose
      .createConnection(config.mongoUrl, {
        // A database that stops answering (rather than refusing) must turn into DEPENDENCY_UNAVAILABLE,
        // not requests that hang. A read's own wait is not bounded, since a slow read (a fleet-wide
        // page on FerretDB) looks just like a stalled one; instead the driver checks the server every
        // 2 s (not 10), and a check that times out ends the reads in flight on it, and finding the
        // server again is bounded.
        serverSelectionTimeoutMS: config.dbTimeoutMs,
        heartbeatFrequencyMS: DB_HEARTBEAT_MS,
        // Not queued in memory while disconnected (mongoose's default, for 10 s): answered at once.
        bufferCommands: false,
        maxPoolSize: 32,
        connectTimeoutMS: MONGO_CONNECT_TIMEOUT_MS,
      })
      .asPromise();
    // The driver can lose its database for good after an outage (see the watchdog): reconnect then.
    const monitorWatch = reconnectWhenMonitorHangs(connection.getClient(), logger);
    closers.push({
      name: 'mongo',
      close: async () => {
        await monitorWatch.stop();
        await connection.close();
      },
    });
    const models = bindGatewayModels(connection);
    await models.apiKeys.createIndexes();

    // No offline queue: while Redis is away, rate limiting falls back to memory at once instead of
    // waiting. The command timeout does the same for a Redis that accepts commands but stalls:
    // without it every request would hang in the rate limiter.
    const redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: RATE_LIMIT_COMMAND_TIMEOUT_MS,
    });
    redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis (rate limits) error'));
    await redis.connect();
    closers.push({ name: 'redis', close: () => redis.quit().catch(() => redis.disconnect()) });

    const apiKeys = new ApiKeyService(models, { cacheTtlMs: config.apiKeyCacheTtlMs }, logger);
    if (config.adminApiKey) await apiKeys.seedAdmin(config.adminApiKey);
    // Open websockets authenticated once: revoking their key here closes them at once, and the
    // sweep finds keys revoked elsewhere within the cache TTL, the bound HTTP requests have too.
    const keySessions = new KeySessions({ revokedAmong: (keyIds) => apiKeys.revokedAmong(keyIds), logger });
    const stopEndingRevokedSessions = apiKeys.onRevoked((keyId) => keySessions.endSessionsOf(keyId));
    keySessions.startSweeping(Math.max(config.apiKeyCacheTtlMs, MIN_KEY_SESSION_SWEEP_MS));
    const authenticateRequest = createGuardedAuthentication(
      apiKeys,
      createAuthFailureLimiter({
        redis,
        namespace: config.namespace,
        failuresPerMinute: config.authFailuresPerMinute,
        logger,
      }),
    );
    closers.push({
      name: 'key sessions',
      close: async () => {
        stopEndingRevokedSessions();
        await keySessions.stop();
      },
    });
    const rateLimiter = createApiKeyRateLimiter({
      redis,
      namespace: config.namespace,
      points: config.rateLimit.points,
      durationSec: config.rateLimit.windowSec,
      logger,
    });
    const commands = new SignalCommandClient(
      config.amqpUrl,
      config.commandTimeoutMs,
      logger.child({ component: 'commands' }),
    );
    closers.push({ name: 'commands', close: () => commands.close() });

    const livePubSub = createLivePubSub({ redisUrl: config.redisUrl, namespace: config.namespace, logger });
    closers.push({ name: 'live pub/sub', close: () => livePubSub.close() });
    const live = createLiveFeed({
      pubSub: livePubSub,
      namespace: config.namespace,
      signals: models.signals,
      devices: models.devices,
      registry,
      logger,
      limits: { bufferSizePerSubscription: config.ws.bufferSizePerSubscription },
    });
    closers.push({ name: 'live feed', close: () => live.close() });

    const db = connection.db;
    if (!db) throw new Error('the database connection is not open');
    const dayFields = new DayFieldReadiness(db);
    const services: GatewayServices = { config, models, dayFields, apiKeys, commands, logger };
    const schema = await buildGatewaySchema({ services, pubSub: livePubSub.pubSub });
    const checkCost = createOperationCostChecker(config.cost);
    const formatError = createErrorFormatter(logger);
    const contextDeps = { models };

    const app = express();
    app.disable('x-powered-by');
    const httpServer = createServer(app);

    const ws = attachWebSocketServer<GatewayContext>({
      httpServer,
      path: GRAPHQL_PATH,
      schema,
      authenticateConnection: authenticateRequest,
      authenticate: (rawKey) => apiKeys.authenticate(rawKey),
      keySessions,
      createContext: ({ auth, request }) => {
        const requestId = request.headers['x-request-id'] ?? request.headers['x-correlation-id'];
        return createGatewayContext(contextDeps, auth, logger, Array.isArray(requestId) ? requestId[0] : requestId);
      },
      // Loaders cache for the life of their context: per event, a long subscription neither holds
      // every track it ever loaded nor serves a device as it was when the subscription began.
      eventContext: (operationContext) => ({ ...operationContext, loaders: createGatewayLoaders(contextDeps.models) }),
      checkCost,
      consumeRateLimit: async (auth) => {
        const decision = await rateLimiter.consume(auth);
        if (!decision.allowed) metrics.rateLimitRefusals.inc({ transport: 'ws' });
        return decision;
      },
      live,
      limits: {
        maxSubscriptionsPerConnection: config.ws.maxSubscriptionsPerConnection,
        maxPayloadBytes: config.ws.maxMessageBytes,
        keepAliveMs: config.ws.keepAliveMs,
      },
      registry,
      logger,
      formatError,
    });

    const apollo = new ApolloServer<GatewayContext>({
      schema,
      formatError,
      includeStacktraceInErrorResponses: false,
      // The bootstrap's closeOnSignals owns SIGTERM/SIGINT: Apollo's own handler stopped the server
      // and then raised the signal again, which read as a second signal and exited 1 mid-drain.
      stopOnTerminationSignals: false,
      csrfPrevention: true,
      // Apollo turns introspection off when NODE_ENV is production; here every request already
      // carries an API key, and the Playground and codegen need the schema wherever the gateway runs.
      introspection: true,
      parseOptions: { maxTokens: config.cost.maxTokens },
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        // No cache hints are used; installed by default, it would wrap every field's resolver.
        ApolloServerPluginCacheControlDisabled(),
        operationCostPlugin(checkCost),
        operationMetricsPlugin(metrics),
        dependencyOutagePlugin(),
        // The websocket server stops with Apollo's drain, before the HTTP server closes.
        {
          async serverWillStart() {
            return {
              async drainServer() {
                await ws.close();
              },
            };
          },
        },
      ],
    });
    await apollo.start();
    closers.push({ name: 'apollo', close: () => apollo.stop() });

    app.use(securityHeaders(config.dashboardTileUrl ? tileSourceFor(config.dashboardTileUrl) : undefined));
    app.use(
      createOpsRouter({
        registry,
        checks: {
          mongo: async () => {
            const db = connection.db;
            if (!db) throw new Error('not connected');
            await db.admin().ping();
          },
          redis: async () => {
            await redis.ping();
          },
          redisSubscriber: async () => {
            if (!(await livePubSub.ping(READINESS_PING_MS)))
              throw new Error('live subscriber connection does not answer');
          },
        },
      }),
    );
    app.get('/dashboard-config.json', (_req, res) => {
      res.json({
        graphqlPath: GRAPHQL_PATH,
        tileUrl: config.dashboardTileUrl ?? null,
        tileAttribution: config.dashboardTileAttribution ?? null,
        onlineWindowSeconds: config.onlineWindowMs / 1000,
      });
    });

    const corsHandler = cors({
      origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
      allowedHeaders: [
        'content-type',
        'x-api-key',
        'apollo-require-preflight',
        'x-apollo-operation-name',
        'x-request-id',
      ],
      exposedHeaders: ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy', 'retry-after'],
      maxAge: 600,
    });
    app.use(
      GRAPHQL_PATH,
      corsHandler,
      // The playground page is public; every operation it sends carries the key the user enters.
      graphiqlHandler({ endpoint: GRAPHQL_PATH }),
      apiKeyHandler(authenticateRequest, logger),
      rateLimitHandler(
        (auth) => rateLimiter.consume(auth),
        config.rateLimit.windowSec,
        () => metrics.rateLimitRefusals.inc({ transport: 'http' }),
      ),
      // Bodies are parsed only for authenticated, in-budget requests.
      express.json({ limit: config.bodyLimitBytes }),
      expressMiddleware(apollo, {
        context: async ({ req, res }) => {
          const requestId = req.get('x-request-id') ?? req.get('x-correlation-id');
          return createGatewayContext(contextDeps, (res.locals as AuthenticatedLocals).auth, logger, requestId);
        },
      }),
    );

    if (existsSync(path.join(config.dashboardDir, 'index.html'))) {
      app.use(express.static(config.dashboardDir, { index: 'index.html', maxAge: '1h' }));
      // Client-side routes of the single-page app fall back to its index.
      app.get(/^\/(?!graphql|healthz|readyz|metrics).*/, (req, res, next) => {
        if (!req.accepts('html')) return next();
        res.sendFile(path.join(config.dashboardDir, 'index.html'));
      });
      logger.info({ dir: config.dashboardDir }, 'serving the dashboard at /');
    }
    app.use(bodyErrorHandler(logger));

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    const { port } = httpServer.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    logger.info({ port }, 'gateway listening');

    return {
      url: `http://${host}:${port}`,
      port,
      registry,
      close() {
        // A second caller (a signal during a shutdown already under way) waits for the same one.
        closing ??= (async () => {
          logger.info('gateway closing');
          await closeAll();
          logger.info('gateway stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
