import type { ConfirmChannel, GetMessage } from 'amqplib';
import { AMQP_HEADERS, RAW_DEAD_LETTER_QUEUE, XRAY_EXCHANGE, declareTopology, publishConfirmed } from '../schema';
import { republishedPropertiesOf } from './republished-properties';
import { BROKER_HEADERS, HELD_SINCE_HEADER, ORIGINAL_ROUTING_KEY_HEADER } from './raw-xray.consumer';

/** One message in `xray.raw.dlq`, as the dead-letter tool shows it. */
export interface DeadLetter {
  /** Position in the queue, from 0. */
  position: number;
  /** `messageId` given by ingest (also what `replay` selects by). */
  messageId: string | undefined;
  deviceId: string | undefined;
  correlationId: string | undefined;
  /** Why it was dead-lettered. */
  reason: string | undefined;
  /** Attempts made before it was dead-lettered. */
  attempts: number;
  /** Routing key it first arrived with; a replay publishes it under this key again. */
  routingKey: string;
  bodyBytes: number;
}

/** Headers that belong to one trip through the processor, dropped on replay so the message starts afresh. */
const PER_TRIP_HEADERS = [
  ...BROKER_HEADERS,
  AMQP_HEADERS.attempt,
  AMQP_HEADERS.deadLetterReason,
  ORIGINAL_ROUTING_KEY_HEADER,
  // A replayed message held during an outage on its last trip gets a full hold again on this one.
  HELD_SINCE_HEADER,
];

/**
 * Walks the dead-letter queue once, front to back: each message is either replayed (published to
 * `iot.xray` under its original routing key with its attempt count reset) or put back at the end
 * of the queue, and only acknowledged once that publish is confirmed. Walking instead of
 * peek-and-requeue keeps the order and never raises a quorum queue's delivery count.
 *
 * Publish-then-ack can double a message but never lose one: if the channel dies after the broker
 * took the copy and before it processed the ack of the original, the original is requeued as well.
 * The promise resolves only once the broker has processed every ack, so a caller that exits right
 * after it leaves no original behind to be requeued.
 */
async function walkDeadLetters(
  channel: ConfirmChannel,
  replay: (letter: DeadLetter) => boolean,
): Promise<{ letters: DeadLetter[]; replayed: DeadLetter[] }> {
  await declareTopology(channel);
  const { messageCount } = await channel.checkQueue(RAW_DEAD_LETTER_QUEUE);
  const letters: DeadLetter[] = [];
  const replayed: DeadLetter[] = [];
  for (let position = 0; position < messageCount; position += 1) {
    const message = await channel.get(RAW_DEAD_LETTER_QUEUE, { noAck: false });
    if (message === false) break;
    const letter = describe(message, position);
    letters.push(letter);
    const headers = { ...(message.properties.headers ?? {}) } as Record<string, unknown>;
    if (replay(letter)) {
      for (const name of PER_TRIP_HEADERS) delete headers[name];
      await publishConfirmed(
        channel,
        XRAY_EXCHANGE,
        letter.routingKey,
        message.content,
        { ...republishedPropertiesOf(message.properties), headers },
        { mustRoute: true },
      );
      replayed.push(letter);
    } else {
      await publishConfirmed(
        channel,
        '',
        RAW_DEAD_LETTER_QUEUE,
        message.content,
        { ...republishedPropertiesOf(message.properties), headers },
        { mustRoute: true },
      );
    }
    channel.ack(message);
  }
  // Acks get no reply, but the broker handles a channel's methods in order: once this answer is
  // back, every ack above has been processed and no original can be requeued any more.
  await channel.checkQueue(RAW_DEAD_LETTER_QUEUE);
  return { letters, replayed };
}

/** Every message in the dead-letter queue (the queue is unchanged afterwards). */
export async function listDeadLetters(channel: ConfirmChannel): Promise<DeadLetter[]> {
  return (await walkDeadLetters(channel, () => false)).letters;
}

/** Replays the messages `select` picks; resolves with them. */
export async function replayDeadLetters(
  channel: ConfirmChannel,
  select: (letter: DeadLetter) => boolean,
): Promise<DeadLetter[]> {
  return (await walkDeadLetters(channel, select)).replayed;
}

function describe(message: GetMessage, position: number): DeadLetter {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const text = (value: unknown): string | undefined =>
    value === undefined || value === null ? undefined : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  const attempt = Number(headers[AMQP_HEADERS.attempt]);
  return {
    position,
    messageId: text(message.properties.messageId),
    deviceId: text(headers[AMQP_HEADERS.deviceId]),
    correlationId: text(headers[AMQP_HEADERS.correlationId]),
    reason: text(headers[AMQP_HEADERS.deadLetterReason]),
    attempts: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
    routingKey: text(headers[ORIGINAL_ROUTING_KEY_HEADER]) ?? message.fields.routingKey,
    bodyBytes: message.content.byteLength,
  };
}
