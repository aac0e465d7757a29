import { Kind } from 'graphql';
import { DateTimeScalar } from './date-time.scalar';

describe('DateTime scalar', () => {
  it('reads ISO-8601 instants with any offset and writes them in UTC', () => {
    expect(DateTimeScalar.parseValue('2026-01-31T13:00:00+01:00')).toEqual(new Date('2026-01-31T12:00:00Z'));
    expect(DateTimeScalar.parseValue('2024-02-29T23:59:59.999Z')).toEqual(
      new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
    );
    expect(DateTimeScalar.parseValue('0050-03-01T00:00:00Z').getUTCFullYear()).toBe(50);
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2026-01-31T12:00:00Z' })).toEqual(
      new Date('2026-01-31T12:00:00Z'),
    );
    expect(DateTimeScalar.serialize(new Date('2026-01-31T13:00:00+01:00'))).toBe('2026-01-31T12:00:00.000Z');
  });

  it('refuses days and times the calendar does not have, rather than rolling them over', () => {
    for (const value of [
      '2026-02-30T00:00:00Z',
      '0050-02-29T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-31T24:00:00Z',
      '2026-01-31T12:60:00Z',
      '2026-01-31T12:00:60Z',
      '2026-01-31T12:00:00+24:00',
      '2026-01-31T12:00:00+01:60',
    ]) {
      expect(() => DateTimeScalar.parseValue(value)).toThrow(`DateTime "${value}" is not a valid instant`);
    }
  });

  it('refuses strings without a time zone and non-strings', () => {
    for (const value of ['2026-01-31T12:00:00', '2026-01-31', 'yesterday', 1_769_860_800_000, null]) {
      expect(() => DateTimeScalar.parseValue(value)).toThrow(/must be an ISO-8601 string with a time zone/);
    }
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '1' })).toThrow('DateTime must be a string');
  });
});
