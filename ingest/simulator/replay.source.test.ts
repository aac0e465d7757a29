import { validateXRayMessage, type XRayPayload } from '../../schema';
import { ReplaySource, recordedSpanMs, shiftedReplay } from './replay.source';

const recorded = {
  deviceId: 'original',
  payload: {
    time: Date.UTC(2025, 0, 1, 0, 0),
    data: [
      [59_000, [51.3, 12.3, 1]],
      [400, [51.3001, 12.3, 1.1]],
      [30_000, [51.3002, 12.3, 1.2]],
      [100, [51.3003, 12.3, 1.3]],
    ],
  } as XRayPayload,
};

describe('replay of a recorded message', () => {
  it('unrolls the wrapped offsets to find the recording span', () => {
    expect(recordedSpanMs(recorded.payload)).toBe(2 * 60_000 + 100);
  });

  it('keeps the samples and moves time by whole minutes under the new device id', () => {
    const minute = Date.UTC(2026, 5, 1, 10, 7);
    expect(shiftedReplay(recorded, 'copy-1', minute)).toEqual({
      'copy-1': { time: minute, data: recorded.payload.data },
    });
    expect(() => shiftedReplay(recorded, 'copy-1', minute + 1)).toThrow('whole minutes');
  });

  it('gives each replay of a device an earlier minute that ends before now, and valid messages', () => {
    const now = Date.UTC(2026, 5, 1, 10, 7, 30);
    const source = new ReplaySource(recorded, { devices: 2, devicePrefix: 'replay' });
    const messages = Array.from({ length: 4 }, () => source.next(now));
    expect(messages.map((m) => m.deviceId)).toEqual(['replay-00000', 'replay-00001', 'replay-00000', 'replay-00001']);
    const times = messages.map((m) => (Object.values(JSON.parse(m.body.toString()))[0] as XRayPayload).time);
    expect(times[0]).toBe(times[1]);
    expect(times[2]).toBe((times[0] as number) - 60_000);
    for (const [i, m] of messages.entries()) {
      expect((times[i] as number) + recordedSpanMs(recorded.payload)).toBeLessThan(now);
      expect(validateXRayMessage(JSON.parse(m.body.toString()), { nowMs: now, expectedDeviceId: m.deviceId }).ok).toBe(
        true,
      );
    }
  });

  it('sends a device replaying once a minute a distinct message each time', () => {
    const start = Date.UTC(2026, 5, 1, 10, 7, 30);
    const source = new ReplaySource(recorded, { devices: 1, devicePrefix: 'replay' });
    const bodies = Array.from({ length: 30 }, (_, minute) => source.next(start + minute * 60_000).body.toString());
    expect(new Set(bodies).size).toBe(30);
  });
});
