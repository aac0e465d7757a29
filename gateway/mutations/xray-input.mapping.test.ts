import { inputPathOf, toXRayPayload } from './xray-input.mapping';

describe('toXRayPayload', () => {
  const now = Date.UTC(2026, 0, 1);

  it('builds the wire payload in sample order', () => {
    const payload = toXRayPayload(
      { deviceId: 'd1', time: new Date(now), data: [{ offsetMs: 5, lat: 1, lon: 2, speed: 3 }] },
      now,
    );
    expect(payload).toEqual({ time: now, data: [[5, [1, 2, 3]]] });
  });

  it('reports every bad field with the path of the input', () => {
    expect(() =>
      toXRayPayload({ deviceId: 'd1', time: new Date(now), data: [{ offsetMs: -1, lat: 1, lon: 200, speed: 3 }] }, now),
    ).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          issues: [
            { path: 'input.data[0].offsetMs', message: 'offset must be >= 0' },
            { path: 'input.data[0].lon', message: 'lon must be in [-180, 180]' },
          ],
        }),
      }),
    );
  });

  it('lists the first 20 issues and counts the rest', () => {
    const data = Array.from({ length: 50 }, () => ({ offsetMs: -1, lat: 1, lon: 200, speed: 3 }));
    let thrown: unknown;
    try {
      toXRayPayload({ deviceId: 'd1', time: new Date(now), data }, now);
    } catch (error) {
      thrown = error;
    }
    const extensions = (thrown as { extensions: { issues: unknown[]; omittedIssues: number } }).extensions;
    expect(extensions.issues).toHaveLength(20);
    expect(extensions.omittedIssues).toBe(80);
  });
});

describe('inputPathOf', () => {
  it('rewrites wire paths, also for device ids that need quoting', () => {
    expect(inputPathOf('$.dev.time', 'dev')).toBe('input.time');
    expect(inputPathOf('$["9-x"].data[2][1][2]', '9-x')).toBe('input.data[2].speed');
    expect(inputPathOf('$', 'dev')).toBe('input.deviceId');
  });
});
