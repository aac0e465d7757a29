import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import { commandRoutingKeyFor, XRAY_EXCHANGE, type SignalCommand, type SignalCommandReply } from '../../../schema';

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** Sends signal commands the way the gateway does (direct reply-to) and awaits the processor's answers. */
export async function commandClient(
  channel: Channel,
): Promise<(command: SignalCommand | Record<string, unknown>) => Promise<SignalCommandReply>> {
  const waiting = new Map<string, (reply: SignalCommandReply) => void>();
  await channel.consume(
    DIRECT_REPLY_TO,
    (message: ConsumeMessage | null) => {
      if (!message) return;
      waiting.get(message.properties.correlationId as string)?.(
        JSON.parse(message.content.toString('utf8')) as SignalCommandReply,
      );
    },
    { noAck: true },
  );
  return (command) =>
    new Promise<SignalCommandReply>((resolve, reject) => {
      const correlationId = randomUUID();
      const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(command).slice(0, 80)}`)), 20_000);
      waiting.set(correlationId, (reply) => {
        clearTimeout(timer);
        waiting.delete(correlationId);
        resolve(reply);
      });
      const kind =
        typeof command.kind === 'string' && ['create', 'update', 'delete'].includes(command.kind)
          ? command.kind
          : 'create';
      channel.publish(XRAY_EXCHANGE, commandRoutingKeyFor(kind as 'create'), Buffer.from(JSON.stringify(command)), {
        replyTo: DIRECT_REPLY_TO,
        correlationId,
        contentType: 'application/json',
      });
    });
}
