import { utcDaysBetween } from './utc-days';

const at = (iso: string): number => Date.parse(iso);

describe('utcDaysBetween', () => {
  it('lists every UTC day a range touches, the end excluded', () => {
    expect(utcDaysBetween(at('2025-03-01T13:00:00Z'), at('2025-03-02T13:00:00Z'), 7)).toEqual([
      '2025-03-01',
      '2025-03-02',
    ]);
    expect(utcDaysBetween(at('2025-03-01T00:00:00Z'), at('2025-03-02T00:00:00Z'), 7)).toEqual(['2025-03-01']);
    expect(utcDaysBetween(at('2025-02-28T23:59:59.999Z'), at('2025-03-01T00:00:00.001Z'), 7)).toEqual([
      '2025-02-28',
      '2025-03-01',
    ]);
  });

  it('stops one day past the limit', () => {
    expect(utcDaysBetween(at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), 3)).toEqual([
      '2025-01-01',
      '2025-01-02',
      '2025-01-03',
      '2025-01-04',
    ]);
  });

  it('is empty for an empty range', () => {
    expect(utcDaysBetween(at('2025-03-01T00:00:00Z'), at('2025-03-01T00:00:00Z'), 7)).toEqual([]);
  });
});
