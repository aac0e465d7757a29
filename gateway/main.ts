import 'reflect-metadata';
import { closeOnSignals, createLogger } from '../schema';
import { loadGatewayConfig } from './config';
import { startGateway } from './gateway.service';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  const gateway = await startGateway(config, { logger });
  logger.info({ url: `${gateway.url}/graphql` }, 'gateway ready');
  closeOnSignals(
    () => gateway.close(),
    (error) => logger.error({ err: error }, 'gateway did not close cleanly'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
