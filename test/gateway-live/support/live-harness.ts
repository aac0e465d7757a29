import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { Registry } from 'prom-client';
import { buildSchema, Query, Resolver } from 'type-graphql';
import { silentLogger } from '../../../schema';
import { ApiKeyService } from '../../../gateway/auth/api-key.service';
import { createGatewayContext } from '../../../gateway/context';
import { createOperationCostChecker } from '../../../gateway/cost/operation-cost';
import { bindGatewayModels, type GatewayModels } from '../../../gateway/db/gateway-models';
import { createErrorFormatter } from '../../../gateway/errors/format-error';
import { createLiveFeed, type LiveFeed } from '../../../gateway/live/live-feed';
import { createLivePubSub } from '../../../gateway/live/live-pubsub';
import { liveResolvers } from '../../../gateway/live/live.resolvers';
import { attachWebSocketServer } from '../../../gateway/live/ws.server';
import { createApiKeyRateLimiter } from '../../../gateway/rate-limit/api-key-rate-limiter';
import { DateTimeScalar } from '../../../gateway/scalars/date-time.scalar';
import type { SuiteInfra } from '../../support/suite-infra';

/** The bootstrap admin key of live tests. */
export const LIVE_ADMIN_KEY = 'live-test-admin-key-0123456789abcdef';

@Resolver()
class HarnessQueryResolver {
  @Query(() => Boolean, { description: 'Always true.' })
  ping(): boolean {
    return true;
  }
}

export interface LiveHarnessOptions {
  rateLimitPoints?: number;
  maxSubscriptionsPerConnection?: number;
  bufferSizePerSubscription?: number;
  maxDepth?: number;
  maxComplexity?: number;
}

/** A gateway's live side on a real HTTP server, real Redis and the suite's real database. */
export interface LiveHarness {
  wsUrl: string;
  registry: Registry;
  feed: LiveFeed;
  models: GatewayModels;
  apiKeys: ApiKeyService;
  close(): Promise<void>;
}

export async function startLiveHarness(infra: SuiteInfra, options: LiveHarnessOptions = {}): Promise<LiveHarness> {
  const logger = silentLogger();
  const connection = await mongoose.createConnection(infra.mongoUrl).asPromise();
  const models = bindGatewayModels(connection);
  const apiKeys = new ApiKeyService(models, { cacheTtlMs: 0 }, logger);
  await apiKeys.seedAdmin(LIVE_ADMIN_KEY);
  const redis = new Redis(infra.redisUrl);
  const limiter = createApiKeyRateLimiter({ redis, namespace: infra.namespace, points: options.rateLimitPoints ?? 600, durationSec: 60, logger });
  const pubSub = createLivePubSub({ redisUrl: infra.redisUrl, namespace: infra.namespace, logger });
  const registry = new Registry();
  const feed = createLiveFeed({
    pubSub,
    namespace: infra.namespace,
    signals: models.signals,
    registry,
    logger,
    limits: { bufferSizePerSubscription: options.bufferSizePerSubscription ?? 256 },
  });
  const schema = await buildSchema({
    resolvers: [HarnessQueryResolver, ...liveResolvers],
    pubSub: pubSub.pubSub,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
  });
  const httpServer: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const ws = attachWebSocketServer({
    httpServer,
    path: '/graphql',
    schema,
    authenticate: (rawKey) => apiKeys.authenticate(rawKey),
    createContext: ({ auth }) => createGatewayContext({ models }, auth, logger),
    checkCost: createOperationCostChecker({
      maxDepth: options.maxDepth ?? 12,
      maxComplexity: options.maxComplexity ?? 10_000,
      maxAliases: 50,
      maxTokens: 5_000,
    }),
    consumeRateLimit: (auth) => limiter.consume(auth),
    live: feed,
    limits: { maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? 100, maxPayloadBytes: 64 * 1024, keepAliveMs: 12_000 },
    registry,
    logger,
    formatError: createErrorFormatter(logger),
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    registry,
    feed,
    models,
    apiKeys,
    async close() {
      await ws.close();
      await feed.close();
      await pubSub.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      redis.disconnect();
      await connection.close();
    },
  };
}

/** Current value of a gauge or counter in `registry` (summed over labels matching `labels`). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}
