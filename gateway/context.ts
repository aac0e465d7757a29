import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuthenticatedKey } from './auth/authenticated-key';
import type { GatewayModels } from './db/gateway-models';
import { createGatewayLoaders, type GatewayLoaders } from './loaders/gateway-loaders';

/** What every resolver receives, over HTTP and websocket alike. */
export interface GatewayContext {
  auth: AuthenticatedKey;
  loaders: GatewayLoaders;
  /** Child logger carrying `requestId` and the key id. */
  logger: Logger;
  /** Correlation id of this request or websocket operation (from `X-Request-Id`/`X-Correlation-Id` when sent). */
  requestId: string;
}

/** What {@link createGatewayContext} needs from the running gateway. */
export interface GatewayContextDependencies {
  models: GatewayModels;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A context with FRESH DataLoaders: call once per HTTP request and once per websocket operation,
 * never share one between operations (loaders cache).
 */
export function createGatewayContext(
  deps: GatewayContextDependencies,
  auth: AuthenticatedKey,
  logger: Logger,
  requestId?: string,
): GatewayContext {
  const id = requestId !== undefined && REQUEST_ID_PATTERN.test(requestId) ? requestId : randomUUID();
  return {
    auth,
    loaders: createGatewayLoaders(deps.models),
    logger: logger.child({ requestId: id, keyId: auth.id }),
    requestId: id,
  };
}
