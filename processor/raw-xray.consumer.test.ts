import { AMQP_HEADERS } from '../schema';
import { attemptOf, withoutBrokerHeaders } from './raw-xray.consumer';

describe('withoutBrokerHeaders', () => {
  it('drops what the broker added to this delivery, so a parked copy starts with no redeliveries', () => {
    const headers = {
      [AMQP_HEADERS.deviceId]: 'dev-1',
      [AMQP_HEADERS.attempt]: 2,
      'x-delivery-count': 12,
      'x-acquired-count': 13,
      'x-death': [{ count: 1 }],
      'x-first-death-reason': 'rejected',
    };
    expect(withoutBrokerHeaders(headers)).toEqual({ [AMQP_HEADERS.deviceId]: 'dev-1', [AMQP_HEADERS.attempt]: 2 });
    expect(headers['x-delivery-count']).toBe(12);
  });
});

describe('attemptOf', () => {
  it('reads x-attempt, 1 when absent or not a whole number from 1', () => {
    expect(attemptOf({ [AMQP_HEADERS.attempt]: 3 })).toBe(3);
    expect(attemptOf({})).toBe(1);
    expect(attemptOf({ [AMQP_HEADERS.attempt]: 0 })).toBe(1);
  });
});
