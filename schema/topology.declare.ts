import type { Channel } from 'amqplib';
import {
  COMMAND_BINDING_PATTERN,
  COMMAND_QUEUE,
  DEAD_LETTER_EXCHANGE,
  RAW_BINDING_PATTERN,
  RAW_DEAD_LETTER_QUEUE,
  RAW_QUEUE,
  RAW_RETRY_QUEUE,
  RAW_RETRY_RETURN_ROUTING_KEY,
  XRAY_EXCHANGE,
} from './topology';

/**
 * Declares the whole RabbitMQ topology. Idempotent, and identical wherever it is called (ingest,
 * processor, gateway), because RabbitMQ refuses a redeclaration with other arguments.
 */
export async function declareTopology(channel: Channel): Promise<void> {
  await channel.assertExchange(XRAY_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'topic', { durable: true });

  await channel.assertQueue(RAW_QUEUE, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      // at-least-once dead-lettering: a message is removed only once the DLQ confirmed it.
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  });
  await channel.bindQueue(RAW_QUEUE, XRAY_EXCHANGE, RAW_BINDING_PATTERN);

  // Messages wait here for their per-message expiration, then return to the main queue. Quorum with
  // at-least-once dead-lettering, as the main queue: a message the processor acked after parking it
  // here leaves only once the main queue confirmed it back (a classic queue dead-letters at most once).
  await channel.assertQueue(RAW_RETRY_QUEUE, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': XRAY_EXCHANGE,
      'x-dead-letter-routing-key': RAW_RETRY_RETURN_ROUTING_KEY,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  });

  await channel.assertQueue(RAW_DEAD_LETTER_QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(RAW_DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '#');

  await channel.assertQueue(COMMAND_QUEUE, { durable: true });
  await channel.bindQueue(COMMAND_QUEUE, XRAY_EXCHANGE, COMMAND_BINDING_PATTERN);
}
