import { hourBucketIdFor, hourStartOf, utcDayOf } from './hour-bucket.model';

describe('hour buckets', () => {
  it('starts an hour at its UTC boundary', () => {
    expect(hourStartOf(Date.UTC(2025, 0, 1, 13, 59, 59, 999)).toISOString()).toBe('2025-01-01T13:00:00.000Z');
    expect(hourStartOf(new Date(Date.UTC(2025, 0, 1, 14))).toISOString()).toBe('2025-01-01T14:00:00.000Z');
  });

  it('names a bucket by device and hour', () => {
    expect(hourBucketIdFor('dev-1', Date.UTC(2025, 0, 1, 13, 30))).toBe('dev-1|2025-01-01T13:00:00.000Z');
  });

  it('names the UTC day of an instant, whatever its hour', () => {
    expect(utcDayOf(Date.UTC(2025, 0, 1, 0, 0))).toBe('2025-01-01');
    expect(utcDayOf(new Date(Date.UTC(2025, 0, 1, 23, 59, 59, 999)))).toBe('2025-01-01');
    expect(utcDayOf(Date.UTC(2024, 1, 29, 12))).toBe('2024-02-29');
  });
});
