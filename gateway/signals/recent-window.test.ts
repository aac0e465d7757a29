import { recentWindowOf, RECENT_WINDOW_MS } from './recent-window';
import type { ValidSignalFilter } from './signal-query';

describe('recentWindowOf', () => {
  const now = Date.UTC(2026, 5, 1, 12);
  const filter: ValidSignalFilter = { dataLength: {}, dataVolume: {} };

  it('ends a day and 10 min past now without a cursor or `to`, since older limits let signals lie ahead', () => {
    const window = recentWindowOf(filter, undefined, now);
    expect(window?.toMs).toBe(now + 86_400_000 + 600_000);
    expect(window?.fromMs).toBe((window?.toMs ?? 0) - RECENT_WINDOW_MS);
  });

  it('ends just after the cursor, or at `to` when that is earlier', () => {
    const cursor = { timeMs: now - 5 * 86_400_000, id: '0'.repeat(24) };
    expect(recentWindowOf(filter, cursor, now)?.toMs).toBe(cursor.timeMs + 1);
    const to = now - 9 * 86_400_000;
    expect(recentWindowOf({ ...filter, toMs: to }, cursor, now)).toMatchObject({
      toMs: to,
      fromMs: to - RECENT_WINDOW_MS,
    });
  });

  it('is no help when the filter is already that narrow', () => {
    expect(recentWindowOf({ ...filter, fromMs: now - 3_600_000 }, undefined, now)).toBeUndefined();
  });
});
