import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import mongoose from 'mongoose';
import { silentLogger } from '../../../schema';
import { loadGatewayConfig } from '../../../gateway/config';
import { bindGatewayModels, type GatewayModels } from '../../../gateway/db/gateway-models';
import { startGateway, type RunningGateway } from '../../../gateway/gateway.service';
import type { Disposables } from '../../support/disposables';
import type { SuiteInfra } from '../../support/suite-infra';

/** The bootstrap ADMIN key of gateway tests. */
export const ADMIN_KEY = 'gateway-test-admin-key-0123456789abcdef';

/** Gateway environment of a suite, as main.ts would read it. */
export function gatewayEnvFor(infra: SuiteInfra, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GATEWAY_PORT: '0',
    GATEWAY_HOST: '127.0.0.1',
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    AMQP_URL: infra.amqpUrl,
    XRAY_NAMESPACE: infra.namespace,
    GATEWAY_ADMIN_API_KEY: ADMIN_KEY,
    GATEWAY_API_KEY_CACHE_TTL_MS: '0',
    GATEWAY_DASHBOARD_DIR: '/nonexistent-dashboard',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

/** Starts a real gateway on port 0 and registers its shutdown. */
export async function startTestGateway(
  infra: SuiteInfra,
  disposables: Disposables,
  overrides: Record<string, string> = {},
): Promise<RunningGateway> {
  const gateway = await startGateway(loadGatewayConfig(gatewayEnvFor(infra, overrides)), { logger: silentLogger() });
  return disposables.add(gateway, (g) => g.close());
}

/** The suite's database through the gateway's own model bindings (for seeding). */
export async function connectModels(infra: SuiteInfra, disposables: Disposables): Promise<GatewayModels> {
  const connection = await mongoose.createConnection(infra.mongoUrl).asPromise();
  disposables.add(connection, (c) => c.close());
  const models = bindGatewayModels(connection);
  await Promise.all([
    models.signals.createIndexes(),
    models.hourBuckets.createIndexes(),
    models.devices.createIndexes(),
  ]);
  return models;
}

export interface GraphQLErrorShape {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<TData> {
  status: number;
  headers: Headers;
  data: TData | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
}

/** Sends a typed document over HTTP as a client would; `apiKey` null sends none. */
export async function execute<TData, TVariables>(
  baseUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  apiKey: string | null = ADMIN_KEY,
): Promise<GraphQLResponse<TData>> {
  return executeText<TData>(baseUrl, print(document), variables as Record<string, unknown>, apiKey);
}

/** Sends a raw document (for operations no client should have typed: too deep, malformed ...). */
export async function executeText<TData = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  apiKey: string | null = ADMIN_KEY,
): Promise<GraphQLResponse<TData>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey !== null) headers['x-api-key'] = apiKey;
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: TData | null; errors?: GraphQLErrorShape[] };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export function dataOf<TData>(response: GraphQLResponse<TData>): TData {
  if (response.errors || response.data === null || response.data === undefined) {
    throw new Error(`expected data, got HTTP ${response.status}: ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

/** The code of the first error of a response that must have failed. */
export function errorCodeOf(response: GraphQLResponse<unknown>): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
