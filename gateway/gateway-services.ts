import type { Logger } from 'pino';
import type { ApiKeyService } from './auth/api-key.service';
import type { GatewayConfig } from './config';
import type { DayFieldReadiness } from './db/day-field-readiness';
import type { GatewayModels } from './db/gateway-models';
import type { SignalCommandSender } from './mutations/signal-command.client';

/**
 * What resolver classes are constructed with (`new Resolver(services)`, one instance per schema),
 * so several gateways in one process never share state.
 */
export interface GatewayServices {
  config: Pick<GatewayConfig, 'maxPageSize' | 'onlineWindowMs' | 'namespace' | 'commandTimeoutMs'>;
  models: GatewayModels;
  /** Whether signals and hour buckets may be read by `day` yet. */
  dayFields: DayFieldReadiness;
  apiKeys: ApiKeyService;
  commands: SignalCommandSender;
  logger: Logger;
}
