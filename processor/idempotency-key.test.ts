import type { XRaySample } from '../schema';
import { canonicalDataJson, idempotencyKeyFor, rawPayloadIdFor } from './idempotency-key';

describe('idempotency key', () => {
  const data: XRaySample[] = [
    [0, [51.5, 12.25, 1]],
    [1000, [51.5001, 12.25, 2.5]],
  ];

  it('is deviceId:time:sha256 of the canonical data', () => {
    expect(idempotencyKeyFor('dev-1', 1_700_000_000_000, data)).toMatch(/^dev-1:1700000000000:[0-9a-f]{64}$/);
  });

  it('does not depend on how the numbers were spelled in the bytes as received', () => {
    const respelled = JSON.parse('[[0,[51.50,12.250,1.0]],[1e3,[51.5001,12.25,2.50]]]') as XRaySample[];
    expect(canonicalDataJson(respelled)).toBe(canonicalDataJson(data));
    expect(idempotencyKeyFor('dev-1', 1, respelled)).toBe(idempotencyKeyFor('dev-1', 1, data));
  });

  it('changes with the device, the time, any reading and the order of samples', () => {
    const key = idempotencyKeyFor('dev-1', 1, data);
    expect(idempotencyKeyFor('dev-2', 1, data)).not.toBe(key);
    expect(idempotencyKeyFor('dev-1', 2, data)).not.toBe(key);
    expect(idempotencyKeyFor('dev-1', 1, [data[0] as XRaySample, [1000, [51.5001, 12.25, 2.6]]])).not.toBe(key);
    expect(idempotencyKeyFor('dev-1', 1, [...data].reverse())).not.toBe(key);
  });

  it('prints every sample as JSON.stringify would, however the numbers are sized', () => {
    const odd: XRaySample[] = [
      [0, [-0, 1e21, 5e-7]],
      [59_999, [-89.999999999, 179.123456789, 0.1 + 0.2]],
      [1, [90, -180, 123456789.5]],
    ];
    expect(canonicalDataJson(odd)).toBe(JSON.stringify(odd));
    expect(JSON.parse(canonicalDataJson(odd))).toEqual(JSON.parse(JSON.stringify(odd)));
    expect(canonicalDataJson([])).toBe('[]');
  });

  it('ignores anything but the sample values', () => {
    const withExtra = data.map(([offset, position]) => [offset, [...position, 99]]) as unknown as XRaySample[];
    expect(canonicalDataJson(withExtra)).toBe(canonicalDataJson(data));
  });

  it('derives one raw payload id per key and exact bytes', () => {
    const key = idempotencyKeyFor('dev-1', 1, data);
    expect(rawPayloadIdFor(key, 'aa').equals(rawPayloadIdFor(key, 'aa'))).toBe(true);
    expect(rawPayloadIdFor(key, 'aa').equals(rawPayloadIdFor(key, 'bb'))).toBe(false);
  });
});
