import { validateXRayMessage } from '../../schema';
import { GeneratedFleetSource } from './fleet.source';
import { seededRandom } from './seeded-random';

describe('GeneratedFleetSource', () => {
  it('never sends a message ingest refuses, however fast and long its messages', () => {
    const nowMs = Date.UTC(2026, 0, 1, 12);
    for (const samplesPerMessage of [1, 20, 600, 900]) {
      const source = new GeneratedFleetSource(
        { devices: 2, devicePrefix: 'fleet-test', samplesPerMessage, nowMs },
        seededRandom(7),
      );
      // Forty messages at one instant: the devices' clocks run far ahead of real time.
      for (let sent = 0; sent < 40; sent += 1) {
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
});
