import { MAX_DAYS_READ_BY_DAY } from '../db/utc-days';
import { trackDaysOf } from './track-days';

const at = (iso: string): number => Date.parse(iso);

describe('trackDaysOf', () => {
  it('reads the range’s own day when no signal can start before it', () => {
    expect(trackDaysOf(at('2026-03-10T06:00:00Z'), at('2026-03-10T12:00:00Z'), 20 * 60_000)).toEqual(['2026-03-10']);
  });

  it('reaches back into the day before when the longest signal could start there', () => {
    expect(trackDaysOf(at('2026-03-10T00:10:00Z'), at('2026-03-10T12:00:00Z'), 20 * 60_000)).toEqual([
      '2026-03-09',
      '2026-03-10',
    ]);
  });

  it('includes the day of `to` itself, which is inclusive', () => {
    expect(trackDaysOf(at('2026-03-10T23:00:00Z'), at('2026-03-11T00:00:00Z'), 0)).toEqual([
      '2026-03-10',
      '2026-03-11',
    ]);
  });

  it('gives up (undefined) beyond the days read one by one, so the caller reads the whole history', () => {
    const from = at('2026-03-10T00:00:00Z');
    expect(trackDaysOf(from, from + (MAX_DAYS_READ_BY_DAY - 1) * 86_400_000, 0)).toHaveLength(MAX_DAYS_READ_BY_DAY);
    expect(trackDaysOf(from, from + MAX_DAYS_READ_BY_DAY * 86_400_000, 0)).toBeUndefined();
    // A week-long signal somewhere in the device's history makes every range look back a week.
    expect(trackDaysOf(from, from + 3_600_000, 7 * 86_400_000)).toBeUndefined();
  });
});
