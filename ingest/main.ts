import { closeOnSignals, createLogger } from '../schema';
import { loadIngestConfig } from './config';
import { startIngest } from './ingest.service';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  const logger = createLogger('ingest', config.logLevel);
  const service = await startIngest(config, { logger });
  closeOnSignals(service.close, (error) => logger.error({ err: error }, 'ingest did not stop cleanly'));
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
