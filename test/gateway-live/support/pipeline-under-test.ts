import { randomBytes } from 'node:crypto';
import { loadIngestConfig } from '../../../ingest/config';
import { startIngest } from '../../../ingest/ingest.service';
import { loadProcessorConfig } from '../../../processor/config';
import { startProcessor } from '../../../processor/processor.service';
import { silentLogger, type RunningService } from '../../../schema';
import type { Disposables } from '../../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../../support/suite-infra';
import {
  connectSuiteDatabase,
  startGatewayUnderTest,
  type GatewayUnderTest,
  type SuiteDatabase,
} from './gateway-under-test';

/** Ingest, processor and gateway on one suite's own infrastructure: the path a device's message takes. */
export interface PipelineUnderTest {
  infra: SuiteInfra;
  db: SuiteDatabase;
  /** The fleet secret ingest checks signatures with (sign with it in `postSignedXRay`). */
  fleetSecret: string;
  ingest: RunningService;
  gateway: GatewayUnderTest;
}

/** Starts the whole pipeline for `suite`; everything is closed with `disposables`. */
export async function startPipelineUnderTest(disposables: Disposables, suite: string): Promise<PipelineUnderTest> {
  const fleetSecret = randomBytes(32).toString('hex');
  const infra = disposables.add(await createSuiteInfra(suite), (i) => i.dispose());
  const db = disposables.add(await connectSuiteDatabase(infra), (d) => d.close());
  const env: NodeJS.ProcessEnv = {
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    AMQP_URL: infra.amqpUrl,
    XRAY_NAMESPACE: infra.namespace,
    INGEST_HMAC_SECRET: fleetSecret,
    INGEST_PORT: '0',
    PROCESSOR_PORT: '0',
    INGEST_HOST: '127.0.0.1',
    PROCESSOR_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  };
  const logger = silentLogger();
  disposables.add(await startProcessor(loadProcessorConfig(env), { logger }), (s) => s.close());
  const gateway = disposables.add(await startGatewayUnderTest(infra), (g) => g.close());
  const ingest = disposables.add(await startIngest(loadIngestConfig(env), { logger }), (s) => s.close());
  return { infra, db, fleetSecret, ingest, gateway };
}
