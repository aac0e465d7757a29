import mongoose from 'mongoose';
import type { Registry } from 'prom-client';
import { silentLogger } from '../../../schema';
import { ApiKeyService } from '../../../gateway/auth/api-key.service';
import { loadGatewayConfig } from '../../../gateway/config';
import { bindGatewayModels, type GatewayModels } from '../../../gateway/db/gateway-models';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.service';
import type { SuiteInfra } from '../../support/suite-infra';

/** The bootstrap admin key of the live tests' gateways. */
export const LIVE_ADMIN_KEY = 'live-test-admin-key-0123456789abcdef';

/** A real gateway (startGateway, port 0) of the suite, and its websocket URL. */
export interface GatewayUnderTest {
  gateway: RunningGateway;
  httpUrl: string;
  wsUrl: string;
  registry: Registry;
  close(): Promise<void>;
}

/** Starts the real gateway on the suite's infrastructure; `env` overrides its environment. */
export async function startGatewayUnderTest(
  infra: SuiteInfra,
  env: Record<string, string> = {},
): Promise<GatewayUnderTest> {
  const config = loadGatewayConfig({
    GATEWAY_PORT: '0',
    GATEWAY_HOST: '127.0.0.1',
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    AMQP_URL: infra.amqpUrl,
    GATEWAY_ADMIN_API_KEY: LIVE_ADMIN_KEY,
    XRAY_NAMESPACE: infra.namespace,
    GATEWAY_API_KEY_CACHE_TTL_MS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  return gatewayUnderTestOf(await startGateway(config, { logger: silentLogger() }));
}

/** A running gateway as the live tests address it. */
export function gatewayUnderTestOf(gateway: RunningGateway): GatewayUnderTest {
  return {
    gateway,
    httpUrl: `${gateway.url}/graphql`,
    wsUrl: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
    registry: gateway.registry,
    close: () => gateway.close(),
  };
}

/** The suite's database as the processor and an operator see it: signals to store, keys to create. */
export interface SuiteDatabase {
  models: GatewayModels;
  apiKeys: ApiKeyService;
  close(): Promise<void>;
}

export async function connectSuiteDatabase(infra: SuiteInfra): Promise<SuiteDatabase> {
  const connection = await mongoose.createConnection(infra.mongoUrl).asPromise();
  const models = bindGatewayModels(connection);
  return {
    models,
    apiKeys: new ApiKeyService(models, { cacheTtlMs: 0 }, silentLogger()),
    close: () => connection.close(),
  };
}

/** Current value of a metric in `registry`, summed over the series matching `labels`. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}
