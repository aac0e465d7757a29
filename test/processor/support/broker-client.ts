import { randomBytes, randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AMQP_HEADERS, declareTopology, rawRoutingKeyFor, signXRay, XRAY_EXCHANGE } from '../../../schema';

/** A test's own publisher: what ingest would put into the broker, signed like a device. */
export interface TestBroker {
  channel: ConfirmChannel;
  /** Publishes `body` for `deviceId` with valid (or overridden) headers; resolves on the broker's confirm. */
  publishXRay(
    deviceId: string,
    body: Buffer,
    overrides?: { headers?: Record<string, unknown>; acceptedAt?: number },
  ): Promise<string>;
  /** Messages ready in `queue` (not counting unacknowledged ones). */
  messageCount(queue: string): Promise<number>;
  close(): Promise<void>;
}

export async function connectTestBroker(amqpUrl: string, hmacSecret: string): Promise<TestBroker> {
  const connection: ChannelModel = await amqp.connect(amqpUrl);
  const channel = await connection.createConfirmChannel();
  await declareTopology(channel);
  return {
    channel,
    async publishXRay(deviceId, body, overrides = {}) {
      const timestamp = String(Date.now());
      const nonce = randomBytes(16).toString('hex');
      const messageId = randomUUID();
      const headers = {
        [AMQP_HEADERS.correlationId]: randomUUID(),
        [AMQP_HEADERS.deviceId]: deviceId,
        [AMQP_HEADERS.timestamp]: timestamp,
        [AMQP_HEADERS.nonce]: nonce,
        [AMQP_HEADERS.signature]: signXRay(hmacSecret, { deviceId, timestamp, nonce, body }),
        [AMQP_HEADERS.acceptedAt]: overrides.acceptedAt ?? Date.now(),
        ...overrides.headers,
      };
      await new Promise<void>((resolve, reject) => {
        channel.publish(
          XRAY_EXCHANGE,
          rawRoutingKeyFor(deviceId),
          body,
          { persistent: true, messageId, contentType: 'application/json', headers },
          (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
        );
      });
      return messageId;
    },
    async messageCount(queue) {
      return (await channel.checkQueue(queue)).messageCount;
    },
    async close() {
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

/** Takes (and acknowledges) every message now in `queue`. */
export async function drainQueue(channel: ConfirmChannel, queue: string): Promise<import('amqplib').GetMessage[]> {
  const messages: import('amqplib').GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (message === false) return messages;
    messages.push(message);
  }
}
