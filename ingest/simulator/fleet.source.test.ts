import { forEachSampleTime, validateXRayMessage, type XRayPayload } from '../../schema';
import { GeneratedFleetSource } from './fleet.source';
import { SAMPLE_INTERVAL_MS, SAMPLE_JITTER_MS } from './track.generator';
import { seededRandom } from './seeded-random';

describe('GeneratedFleetSource', () => {
  it('never sends a message ingest refuses, however fast and long its messages', () => {
    const nowMs = Date.UTC(2026, 0, 1, 12);
    for (const samplesPerMessage of [undefined, 1, 20, 600, 900]) {
      const source = new GeneratedFleetSource(
        {
          devices: 2,
          devicePrefix: 'fleet-test',
          ...(samplesPerMessage === undefined ? {} : { samplesPerMessage }),
          nowMs,
        },
        seededRandom(7),
      );
      // A burst of 1,500 messages at one instant: without a limit the clocks would run 12 min ahead.
      for (let sent = 0; sent < 1_500; sent += 1) {
        const { deviceId, body } = source.next(nowMs);
        const result = validateXRayMessage(JSON.parse(body.toString('utf8')), { nowMs, expectedDeviceId: deviceId });
        expect({ samplesPerMessage, sent, result: result.ok ? 'ok' : result.issues }).toEqual({
          samplesPerMessage,
          sent,
          result: 'ok',
        });
      }
    }
  });

  /** Each message's first and last fix time, in send order per device. */
  function spans(source: GeneratedFleetSource, sends: number[]): Map<string, Array<[number, number]>> {
    const byDevice = new Map<string, Array<[number, number]>>();
    for (const nowMs of sends) {
      const { deviceId, body } = source.next(nowMs);
      const payload = (JSON.parse(body.toString('utf8')) as Record<string, XRayPayload>)[deviceId] as XRayPayload;
      const times: number[] = [];
      forEachSampleTime(payload.time, payload.data, (time) => times.push(time));
      byDevice.set(deviceId, [...(byDevice.get(deviceId) ?? []), [times[0] as number, times.at(-1) as number]]);
    }
    return byDevice;
  }

  it('follows the clock: each message takes up where the last ended, one fix a second, never going back', () => {
    const start = Date.UTC(2026, 0, 1, 12);
    // 50 devices at 20 messages a second: one every 2.5 s per device, for an hour.
    const source = new GeneratedFleetSource({ devices: 50, devicePrefix: 'clock', nowMs: start }, seededRandom(3));
    const sends = Array.from({ length: 20 * 3600 }, (_, i) => start + i * 50);
    for (const [deviceId, messages] of spans(source, sends)) {
      for (let i = 1; i < messages.length; i += 1) {
        // The next fix about a second after the last: no gap, no overlap (fixes jitter by a few ms).
        const step = (messages[i] as [number, number])[0] - (messages[i - 1] as [number, number])[1];
        if (Math.abs(step - SAMPLE_INTERVAL_MS) > SAMPLE_JITTER_MS) expect({ deviceId, i, step }).toBe('about 1 s');
      }
      // Still on real time after an hour: its last fix within a few seconds of the last send.
      const [, lastEnd] = messages.at(-1) as [number, number];
      expect(Math.abs(lastEnd - (sends.at(-1) as number))).toBeLessThan(5_000);
    }
  });

  it('skips ahead over a pause, leaving a gap, and never back', () => {
    const start = Date.UTC(2026, 0, 1, 12);
    const source = new GeneratedFleetSource({ devices: 1, devicePrefix: 'pause', nowMs: start }, seededRandom(5));
    const [first, second, afterPause] = spans(source, [start, start + 2_000, start + 3_600_000]).get(
      'pause-00000',
    ) as Array<[number, number]>;
    if (!first || !second || !afterPause) throw new Error('three messages expected');
    expect(Math.abs(second[0] - first[1] - SAMPLE_INTERVAL_MS)).toBeLessThanOrEqual(SAMPLE_JITTER_MS);
    // An hour later: at most 600 fixes, ending about now, after a gap.
    const [from, to] = afterPause;
    expect(Math.abs(to - (start + 3_600_000))).toBeLessThanOrEqual(600 * SAMPLE_JITTER_MS);
    expect(to - from).toBeGreaterThanOrEqual(599 * (SAMPLE_INTERVAL_MS - SAMPLE_JITTER_MS));
    expect(from).toBeGreaterThan(second[1] + 2_900_000);
  });
});
