import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { publishConfirmed, type Logger, type SignalCommandReply } from '../schema';
import type { ProcessorMetrics } from './processor.metrics';

export interface SignalCommandConsumerDeps {
  handle: (command: unknown, correlationId: string) => Promise<SignalCommandReply>;
  metrics: ProcessorMetrics;
  logger: Logger;
}

/**
 * The AMQP adapter of signal commands: parse, run, answer on `replyTo` (RabbitMQ direct reply-to)
 * with the request's `correlationId`, then acknowledge. Commands are never retried: the gateway
 * awaits the answer with a timeout, and a late retry would act after the caller gave up.
 */
export function signalCommandMessageHandler(
  consumeChannel: Channel,
  publishChannel: ConfirmChannel,
  deps: SignalCommandConsumerDeps,
): (message: ConsumeMessage) => Promise<void> {
  return async (message) => {
    const timer = deps.metrics.processingSeconds.startTimer({ queue: 'command' });
    const correlationId = (message.properties.correlationId as string | undefined) ?? '';
    let reply: SignalCommandReply;
    try {
      reply = await deps.handle(JSON.parse(message.content.toString('utf8')), correlationId);
    } catch (error) {
      reply = {
        ok: false,
        code: 'BAD_USER_INPUT',
        message: `the command is not valid JSON: ${(error as Error).message}`,
      };
    }
    const replyTo = message.properties.replyTo as string | undefined;
    if (replyTo) {
      try {
        await publishConfirmed(publishChannel, '', replyTo, Buffer.from(JSON.stringify(reply)), {
          correlationId,
          contentType: 'application/json',
        });
      } catch (error) {
        // The requester is gone (direct reply-to channels live as long as the caller waits).
        deps.logger.warn({ err: error, correlationId }, 'could not answer a signal command');
      }
    }
    try {
      consumeChannel.ack(message);
    } catch {
      // the channel closed; the broker redelivers the command
    }
    deps.metrics.processed.inc({ queue: 'command', outcome: reply.ok ? 'ok' : reply.code });
    timer();
  };
}
