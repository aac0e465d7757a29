import type { MessageProperties, Options } from 'amqplib';

/**
 * The publish options that carry a message's identity over when it is published again (retry,
 * dead-lettering, replay): persistent, with its id, correlation id, content type, timestamp and
 * app id. Headers are the caller's to set: each republication rewrites them differently.
 */
export function republishedPropertiesOf(properties: MessageProperties): Options.Publish {
  const p = properties;
  return {
    persistent: true,
    ...(p.messageId === undefined ? {} : { messageId: p.messageId as string }),
    ...(p.correlationId === undefined ? {} : { correlationId: p.correlationId as string }),
    ...(p.contentType === undefined ? {} : { contentType: p.contentType as string }),
    ...(p.timestamp === undefined ? {} : { timestamp: p.timestamp as number }),
    ...(p.appId === undefined ? {} : { appId: p.appId as string }),
  };
}
