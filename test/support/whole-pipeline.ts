import { loadGatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/gateway.service';
import { loadIngestConfig } from '../../ingest/config';
import { startIngest } from '../../ingest/ingest.service';
import { loadProcessorConfig } from '../../processor/config';
import { startProcessor } from '../../processor/processor.service';
import { silentLogger, type RunningService } from '../../schema';
import type { Disposables } from './disposables';
import type { SuiteInfra } from './suite-infra';

/** Processor, gateway and ingest in-process on one suite's infrastructure: the path a device's message takes. */
export interface WholePipeline {
  processor: RunningService;
  gateway: RunningGateway;
  ingest: RunningService;
}

/**
 * Starts the three services on `infra`, on free local ports and silent, each closed with
 * `disposables`; `env` adds the suite's own settings (its fleet secret and admin key at least).
 * Started in the order data flows backwards, so nothing is published before its consumer exists.
 */
export async function startWholePipeline(
  infra: SuiteInfra,
  disposables: Disposables,
  env: NodeJS.ProcessEnv & { INGEST_HMAC_SECRET: string; GATEWAY_ADMIN_API_KEY: string },
): Promise<WholePipeline> {
  const config: NodeJS.ProcessEnv = {
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    AMQP_URL: infra.amqpUrl,
    XRAY_NAMESPACE: infra.namespace,
    INGEST_PORT: '0',
    PROCESSOR_PORT: '0',
    GATEWAY_PORT: '0',
    INGEST_HOST: '127.0.0.1',
    PROCESSOR_HOST: '127.0.0.1',
    GATEWAY_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...env,
  };
  const logger = silentLogger();
  const processor = disposables.add(await startProcessor(loadProcessorConfig(config), { logger }), (s) => s.close());
  const gateway = disposables.add(await startGateway(loadGatewayConfig(config), { logger }), (s) => s.close());
  const ingest = disposables.add(await startIngest(loadIngestConfig(config), { logger }), (s) => s.close());
  return { processor, gateway, ingest };
}
