import { lastSampleTime, MAX_SAMPLES_PER_MESSAGE, validateXRayMessage, type XRaySample } from '../schema';
import { loadSampleXRay } from '../test/support/sample-xray';
import { unwrapSampleTimes } from './sample-timeline';

/** Largest value of a GraphQL `Int`, the type of `SignalStats.durationMs`. */
const GRAPHQL_INT_MAX = 2 ** 31 - 1;

describe('unwrapSampleTimes', () => {
  const T = Date.UTC(2025, 0, 1, 12, 0, 0);

  it('adds offsets to the message time while they increase', () => {
    const times = unwrapSampleTimes(T, [
      [762, [1, 2, 3]],
      [1766, [1, 2, 3]],
      [59_999, [1, 2, 3]],
    ]).map((s) => s.time - T);
    expect(times).toEqual([762, 1766, 59_999]);
  });

  it('adds a minute every time an offset falls back', () => {
    const times = unwrapSampleTimes(T, [
      [58_000, [0, 0, 0]],
      [500, [0, 0, 0]],
      [30_000, [0, 0, 0]],
      [100, [0, 0, 0]],
      [100, [0, 0, 0]],
    ]).map((s) => s.time - T);
    expect(times).toEqual([58_000, 60_500, 90_000, 120_100, 120_100]);
  });

  it('keeps position and speed of every sample', () => {
    expect(unwrapSampleTimes(T, [[0, [51.3, 12.3, 1.5]]])).toEqual([{ time: T, lat: 51.3, lon: 12.3, speed: 1.5 }]);
  });

  it('spans less than 600,000,000 ms for the longest valid message, each sample starting a new minute', () => {
    const data: XRaySample[] = Array.from({ length: MAX_SAMPLES_PER_MESSAGE }, (_, i) => [59_999 - i, [0, 0, 0]]);
    // Received once all of it lay in the past: no sample may lie over 10 min ahead of acceptance.
    expect(validateXRayMessage({ d: { data, time: T } }, { nowMs: T + 600_000_000 })).toMatchObject({ ok: true });
    const times = unwrapSampleTimes(T, data).map((s) => s.time);
    const durationMs = (times[times.length - 1] as number) - (times[0] as number);
    expect(durationMs).toBe((MAX_SAMPLES_PER_MESSAGE - 1) * 59_999);
    expect(durationMs).toBeLessThan(600_000_000);
    expect(durationMs).toBeLessThan(GRAPHQL_INT_MAX);
  });

  it('places the last sample where lastSampleTime (the validator) does (the real sample)', () => {
    const { message, deviceId } = loadSampleXRay();
    const payload = message[deviceId];
    if (!payload) throw new Error('the sample has no payload');
    const times = unwrapSampleTimes(payload.time, payload.data).map((s) => s.time);
    expect(lastSampleTime(payload)).toBe(times[times.length - 1]);
  });
});
