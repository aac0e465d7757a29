import type { MessageProperties } from 'amqplib';
import { republishedPropertiesOf } from './republished-properties';

function propertiesWith(fields: Partial<MessageProperties>): MessageProperties {
  return { headers: {}, ...fields } as MessageProperties;
}

describe('republishedPropertiesOf', () => {
  it('carries the identity of the message over, persistent, without its headers', () => {
    const options = republishedPropertiesOf(
      propertiesWith({
        messageId: 'm-1',
        correlationId: 'c-1',
        contentType: 'application/json',
        timestamp: 1_700_000_000,
        appId: 'ingest',
        headers: { 'x-attempt': 2 },
        expiration: '500',
      }),
    );
    expect(options).toEqual({
      persistent: true,
      messageId: 'm-1',
      correlationId: 'c-1',
      contentType: 'application/json',
      timestamp: 1_700_000_000,
      appId: 'ingest',
    });
  });

  it('leaves out what the message did not carry', () => {
    expect(republishedPropertiesOf(propertiesWith({ messageId: 'm-2' }))).toEqual({
      persistent: true,
      messageId: 'm-2',
    });
  });
});
