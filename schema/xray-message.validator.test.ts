import { MAX_SPEED } from './xray-message';
import { validateXRayMessage } from './xray-message.validator';

const NOW = Date.UTC(2025, 0, 1, 12);
const valid = { 'dev-1': { data: [[762, [51.33, 12.33, 1.2]]], time: Date.UTC(2025, 0, 1) } };

describe('validateXRayMessage', () => {
  it('accepts a well-formed message and returns its device id', () => {
    const result = validateXRayMessage(valid, { nowMs: NOW, expectedDeviceId: 'dev-1' });
    expect(result).toEqual({ ok: true, message: { deviceId: 'dev-1', payload: valid['dev-1'] } });
  });

  it('refuses a body with no or several device keys', () => {
    expect(validateXRayMessage({}, { nowMs: NOW })).toMatchObject({ ok: false, issues: [{ path: '$' }] });
    const two = { a: valid['dev-1'], b: valid['dev-1'] };
    expect(validateXRayMessage(two, { nowMs: NOW })).toMatchObject({ ok: false, issues: [{ path: '$' }] });
    expect(validateXRayMessage([valid], { nowMs: NOW })).toMatchObject({ ok: false });
  });

  it('refuses a device key that differs from the header or breaks the pattern', () => {
    expect(validateXRayMessage(valid, { nowMs: NOW, expectedDeviceId: 'dev-2' })).toMatchObject({
      ok: false,
      issues: [{ path: '$.dev-1'.replace('.dev-1', '["dev-1"]') }],
    });
    const bad = { 'dev 1': valid['dev-1'] };
    expect(validateXRayMessage(bad, { nowMs: NOW })).toMatchObject({ ok: false, issues: [{ path: '$["dev 1"]' }] });
  });

  it('names the JSON path of every bad sample field', () => {
    const body = {
      dev_1: {
        data: [
          [1.5, [91, 12, 1]],
          [2, [51, -181, -1]],
        ],
        time: Date.UTC(2025, 0, 1),
      },
    };
    const result = validateXRayMessage(body, { nowMs: NOW });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((issue) => issue.path).sort();
    expect(paths).toEqual([
      '$.dev_1.data[0][0]',
      '$.dev_1.data[0][1][0]',
      '$.dev_1.data[1][1][1]',
      '$.dev_1.data[1][1][2]',
    ]);
  });

  it('refuses an offset outside the current minute and names its path', () => {
    const at = (offsets: number[]) =>
      validateXRayMessage(
        { d: { data: offsets.map((offset) => [offset, [51.3, 12.3, 1]]), time: Date.UTC(2025, 0, 1) } },
        { nowMs: NOW },
      );
    expect(at([0, 59_999])).toMatchObject({ ok: true });
    for (const offset of [60_000, 3_000_000_000, 9e15]) {
      expect(at([0, offset])).toEqual({
        ok: false,
        issues: [
          { path: '$.d.data[1][0]', message: 'offset must be < 60000 (milliseconds within the current minute)' },
        ],
      });
    }
  });

  it('refuses a speed over MAX_SPEED, whose sums would overflow to Infinity', () => {
    const at = (speed: number) =>
      validateXRayMessage({ d: { data: [[0, [51.3, 12.3, speed]]], time: Date.UTC(2025, 0, 1) } }, { nowMs: NOW });
    expect(at(MAX_SPEED)).toMatchObject({ ok: true });
    for (const speed of [MAX_SPEED + 0.001, 1.7e308]) {
      expect(at(speed)).toEqual({
        ok: false,
        issues: [{ path: '$.d.data[0][1][2]', message: `speed must be <= ${MAX_SPEED}` }],
      });
    }
  });

  it('refuses empty data, times before 2000 or over 10 min ahead, and unknown fields', () => {
    const at = (payload: unknown) => validateXRayMessage({ d: payload }, { nowMs: NOW });
    expect(at({ data: [], time: Date.UTC(2025, 0, 1) })).toMatchObject({ ok: false, issues: [{ path: '$.d.data' }] });
    expect(at({ data: [[0, [0, 0, 0]]], time: Date.UTC(1999, 11, 31) })).toMatchObject({
      ok: false,
      issues: [{ path: '$.d.time' }],
    });
    expect(at({ data: [[0, [0, 0, 0]]], time: NOW + 10 * 60_000 })).toMatchObject({ ok: true });
    expect(at({ data: [[0, [0, 0, 0]]], time: NOW + 10 * 60_000 + 1 })).toEqual({
      ok: false,
      issues: [{ path: '$.d.time', message: 'time must not be more than 10 min in the future' }],
    });
    expect(at({ data: [[0, [0, 0, 0]]], time: Date.UTC(2025, 0, 1), extra: 1 })).toMatchObject({ ok: false });
  });

  it('refuses a message whose last sample lies over 10 min ahead, counting the minutes its offsets began', () => {
    const at = (data: unknown[]) => validateXRayMessage({ d: { data, time: NOW } }, { nowMs: NOW });
    // Offsets 50 s, 10 s, 5 s: two new minutes, so the last sample is at NOW + 2 min 5 s.
    expect(
      at([
        [50_000, [0, 0, 0]],
        [10_000, [0, 0, 0]],
        [5_000, [0, 0, 0]],
      ]),
    ).toMatchObject({ ok: true });
    // 59.999 s then 0, twelve times: twelve minutes begun, the last sample at NOW + 12 min.
    const wraps = Array.from({ length: 24 }, (_, i) => [i % 2 === 0 ? 59_999 : 0, [0, 0, 0]]);
    expect(at(wraps)).toEqual({
      ok: false,
      issues: [{ path: '$.d.data[23][0]', message: 'the last sample must not be more than 10 min in the future' }],
    });
  });

  it('refuses more than 10,000 samples', () => {
    const data = Array.from({ length: 10_001 }, (_, i) => [i % 60_000, [0, 0, 0]]);
    expect(validateXRayMessage({ d: { data, time: Date.UTC(2025, 0, 1) } }, { nowMs: NOW })).toMatchObject({
      ok: false,
      issues: [{ path: '$.d.data' }],
    });
  });
});
