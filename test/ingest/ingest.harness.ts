import amqp, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { RAW_QUEUE, silentLogger } from '../../schema';
import type { IngestConfig } from '../../ingest/config';
import { startIngest } from '../../ingest/ingest.service';
import type { RunningService } from '../../schema';
import type { SuiteInfra } from '../support/suite-infra';

/** The fleet secret of the ingest test suites. */
export const TEST_FLEET_SECRET = 'integration-test-fleet-secret-0123456789';

/** An ingest config on port 0 for a suite's infrastructure, with overrides. */
export function ingestConfigFor(infra: SuiteInfra, overrides: Partial<IngestConfig> = {}): IngestConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    amqpUrl: infra.amqpUrl,
    redisUrl: infra.redisUrl,
    hmacSecret: TEST_FLEET_SECRET,
    namespace: infra.namespace,
    bodyLimitBytes: 1024 * 1024,
    rateLimitPerMinute: 10_000,
    maxClockSkewMs: 300_000,
    confirmTimeoutMs: 5_000,
    maxUnconfirmedBytes: 64 * 1024 * 1024,
    startupWaitMs: 10_000,
    logLevel: 'silent',
    ...overrides,
  };
}

export function startTestIngest(config: IngestConfig): Promise<RunningService> {
  return startIngest(config, { logger: silentLogger() });
}

/** Reads the raw queue of a suite's vhost directly (not through any proxy). */
export class RawQueueReader {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
  ) {}

  static async open(amqpUrl: string): Promise<RawQueueReader> {
    const connection = await amqp.connect(amqpUrl);
    const channel = await connection.createChannel();
    return new RawQueueReader(connection, channel);
  }

  /** Takes every message now in `xray.raw.q` (acking each), polling until the queue stays empty. */
  async drain(): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await this.channel.get(RAW_QUEUE, { noAck: false });
      if (message === false) return messages;
      this.channel.ack(message);
      messages.push(message);
    }
  }

  /** Polls `xray.raw.q` until a message with `messageId` arrives or the deadline passes; acks what it reads. */
  async waitFor(messageId: string, timeoutMs = 10_000): Promise<GetMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const message = await this.channel.get(RAW_QUEUE, { noAck: false });
      if (message === false) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        continue;
      }
      this.channel.ack(message);
      if (message.properties.messageId === messageId) return message;
    }
    throw new Error(`message ${messageId} did not reach ${RAW_QUEUE} within ${timeoutMs} ms`);
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close();
  }
}
