import type { ConfirmChannel, Options } from 'amqplib';

/** Publishes on a confirm channel and resolves once the broker confirmed (rejects on a nack). */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    try {
      channel.publish(exchange, routingKey, content, options, (error: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error(`the broker did not confirm: ${String(error)}`));
        else resolve();
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
