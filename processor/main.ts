import { closeOnSignals, createLogger } from '../schema';
import { loadProcessorConfig } from './config';
import { startProcessor } from './processor.service';

async function main(): Promise<void> {
  const config = loadProcessorConfig();
  const logger = createLogger('processor', config.logLevel);
  const processor = await startProcessor(config, { logger });
  closeOnSignals(
    () => processor.close(),
    (error) => logger.error({ err: error }, 'processor did not stop cleanly'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`processor failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
