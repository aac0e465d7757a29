import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, Message, Options } from 'amqplib';

/** Default longest wait for a publisher confirm (under a broker resource alarm none ever comes). */
export const CONFIRM_TIMEOUT_MS = 10_000;

/** Header that tells a returned (unroutable) message apart from the others on its channel. */
const PUBLISH_ID_HEADER = 'x-xray-publish-id';

/** Why a publish was not confirmed. */
export type UnconfirmedReason = 'nack' | 'timeout' | 'unroutable' | 'failed';

/** A publish the broker did not confirm: the message may or may not have landed (unless `unroutable`). */
export class PublishNotConfirmedError extends Error {
  constructor(
    readonly reason: UnconfirmedReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishNotConfirmedError';
  }
}

export interface PublishConfirmedOptions {
  /**
   * Fail when no queue takes the message (AMQP `mandatory`): the broker confirms an unroutable
   * message all the same, so a message parked on a queue an operator deleted would be lost.
   */
  mustRoute?: boolean;
  /** Default {@link CONFIRM_TIMEOUT_MS}. */
  timeoutMs?: number;
  /**
   * Called once the broker (or the channel's close) settled the message: an ack, a nack, or every
   * pending confirm failing at close. Unlike the returned promise, not at the timeout: until then
   * amqplib may still hold the body in its buffers.
   */
  onBrokerSettled?: () => void;
}

/** Publish ids of the messages each channel returned, until their confirm reads them. */
const returnedByChannel = new WeakMap<ConfirmChannel, Set<string>>();

function returnedOn(channel: ConfirmChannel): Set<string> {
  let returned = returnedByChannel.get(channel);
  if (returned === undefined) {
    const ids = new Set<string>();
    returned = ids;
    returnedByChannel.set(channel, ids);
    // One listener per channel, however many publishes are under way on it.
    channel.on('return', (message: Message) => {
      const id = (message.properties.headers as Record<string, unknown> | undefined)?.[PUBLISH_ID_HEADER];
      if (typeof id === 'string') ids.add(id);
    });
  }
  return returned;
}

/**
 * Publishes on a confirm channel and resolves once the broker confirmed. Rejects with a
 * {@link PublishNotConfirmedError} on a nack (or a channel closed first), on no confirm within the
 * timeout, and with `mustRoute` when no queue took the message.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  { mustRoute = false, timeoutMs = CONFIRM_TIMEOUT_MS, onBrokerSettled }: PublishConfirmedOptions = {},
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: PublishNotConfirmedError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => settle(new PublishNotConfirmedError('timeout', `the broker did not confirm within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      let publishOptions = options;
      let publishId: string | undefined;
      if (mustRoute) {
        publishId = randomUUID();
        returnedOn(channel);
        publishOptions = {
          ...options,
          mandatory: true,
          headers: { ...options.headers, [PUBLISH_ID_HEADER]: publishId },
        };
      }
      channel.publish(exchange, routingKey, content, publishOptions, (error: unknown) => {
        onBrokerSettled?.();
        // The broker sends basic.return before the confirm of an unroutable mandatory message.
        const returned = publishId !== undefined && returnedOn(channel).delete(publishId);
        if (error)
          settle(new PublishNotConfirmedError('nack', 'the broker did not confirm the message', { cause: error }));
        else if (returned)
          settle(
            new PublishNotConfirmedError(
              'unroutable',
              `no queue took the message (exchange "${exchange}", key "${routingKey}")`,
            ),
          );
        else settle();
      });
    } catch (error) {
      // Nothing was buffered: amqplib throws before writing.
      onBrokerSettled?.();
      settle(new PublishNotConfirmedError('failed', 'publishing failed', { cause: error }));
    }
  });
}
