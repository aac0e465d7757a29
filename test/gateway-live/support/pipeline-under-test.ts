import { randomBytes } from 'node:crypto';
import type { RunningService } from '../../../schema';
import type { Disposables } from '../../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../../support/suite-infra';
import { startWholePipeline } from '../../support/whole-pipeline';
import {
  connectSuiteDatabase,
  gatewayUnderTestOf,
  LIVE_ADMIN_KEY,
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
  const { ingest, gateway } = await startWholePipeline(infra, disposables, {
    INGEST_HMAC_SECRET: fleetSecret,
    GATEWAY_ADMIN_API_KEY: LIVE_ADMIN_KEY,
    // As startGatewayUnderTest gives every live suite: no API-key cache.
    GATEWAY_API_KEY_CACHE_TTL_MS: '0',
  });
  return { infra, db, fleetSecret, ingest, gateway: gatewayUnderTestOf(gateway) };
}
