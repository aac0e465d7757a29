import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { silentLogger } from '../../../schema';
import { loadProcessorConfig, type ProcessorConfig } from '../../../processor/config';
import { startProcessor, type RunningProcessor } from '../../../processor/processor.service';
import type { SuiteInfra } from '../../support/suite-infra';

/** The fleet secret of processor tests. */
export const TEST_HMAC_SECRET = 'processor-test-fleet-secret-0123456789abcdef';

/** Processor environment of a suite, as main.ts would read it. */
export function processorEnvFor(infra: SuiteInfra, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PROCESSOR_PORT: '0',
    PROCESSOR_HOST: '127.0.0.1',
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    AMQP_URL: infra.amqpUrl,
    INGEST_HMAC_SECRET: TEST_HMAC_SECRET,
    XRAY_NAMESPACE: infra.namespace,
    RETENTION_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

export function processorConfigFor(infra: SuiteInfra, overrides: Record<string, string> = {}): ProcessorConfig {
  return loadProcessorConfig(processorEnvFor(infra, overrides));
}

export function startTestProcessor(
  infra: SuiteInfra,
  overrides: Record<string, string> = {},
): Promise<RunningProcessor> {
  return startProcessor(processorConfigFor(infra, overrides), { logger: silentLogger() });
}

/** A connection of the test's own to the suite's database. */
export async function connectSuiteDb(infra: SuiteInfra): Promise<mongoose.Connection> {
  return mongoose.createConnection(infra.mongoUrl).asPromise();
}

/** A Redis subscriber collecting the JSON messages of `channels`. */
export async function subscribeEvents(
  redisUrl: string,
  channels: string[],
): Promise<{ received: Array<{ channel: string; event: Record<string, unknown> }>; close(): Promise<void> }> {
  const subscriber = new Redis(redisUrl);
  const received: Array<{ channel: string; event: Record<string, unknown> }> = [];
  subscriber.on('message', (channel: string, message: string) => {
    received.push({ channel, event: JSON.parse(message) as Record<string, unknown> });
  });
  await subscriber.subscribe(...channels);
  return {
    received,
    async close() {
      subscriber.disconnect();
    },
  };
}
