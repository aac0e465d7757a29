import { Types } from 'mongoose';
import type { ProcessedSignalEvent } from '../../schema';
import { LiveEventDecoder } from './live-event';

function event(): ProcessedSignalEvent {
  return {
    signalId: new Types.ObjectId().toHexString(),
    deviceId: 'dev-1',
    time: 1_000,
    ingestedAt: 2_000,
    dataLength: 2,
    dataVolume: 40,
    stats: { distanceMeters: 5, maxSpeed: 3, avgSpeed: 2, durationMs: 500, droppedSamples: 0 },
    bbox: { minLat: 1, maxLat: 1.5, minLon: 2, maxLon: 2.5 },
    start: { time: 1_000, lat: 1, lon: 2, speed: 1 },
    end: { time: 1_500, lat: 1.5, lon: 2.5, speed: 3 },
    correlationId: 'corr-1',
  };
}

describe('LiveEventDecoder', () => {
  it('maps an event to the delivered signal and position', () => {
    const payload = event();
    const live = new LiveEventDecoder(() => undefined).decode(JSON.parse(JSON.stringify(payload)));
    expect(live?.signal._id.toHexString()).toBe(payload.signalId);
    expect(live?.signal.time).toEqual(new Date(1_000));
    expect(live?.signal.end).toEqual({ time: new Date(1_500), lat: 1.5, lon: 2.5, speed: 3 });
    expect(live?.position).toEqual({
      deviceId: 'dev-1',
      signalId: payload.signalId,
      position: { time: new Date(1_500), lat: 1.5, lon: 2.5, speed: 3 },
    });
    expect(live?.signal.trackId).toBeUndefined();
  });

  it('carries the track id of the event, so points are read without looking the signal up', () => {
    const trackId = new Types.ObjectId().toHexString();
    const live = new LiveEventDecoder(() => undefined).decode(JSON.parse(JSON.stringify({ ...event(), trackId })));
    expect(live?.signal.trackId?.toHexString()).toBe(trackId);
    expect(new LiveEventDecoder(() => undefined).decode({ ...event(), trackId: 'not-an-id' })).toBeUndefined();
  });

  it('decodes one message once for all its listeners', () => {
    const decoder = new LiveEventDecoder(() => undefined);
    const payload: unknown = JSON.parse(JSON.stringify(event()));
    const first = decoder.decode(payload);
    expect(first).toBeDefined();
    expect(decoder.decode(payload)).toBe(first);
    expect(decoder.decode(JSON.parse(JSON.stringify(payload)))).not.toBe(first);
  });

  it('counts a malformed message once however many listeners receive it', () => {
    let malformed = 0;
    const decoder = new LiveEventDecoder(() => (malformed += 1));
    const payload = { ...event(), signalId: 'not-an-id' };
    expect(decoder.decode(payload)).toBeUndefined();
    expect(decoder.decode(payload)).toBeUndefined();
    expect(malformed).toBe(1);
    expect(decoder.decode(null)).toBeUndefined();
    expect(malformed).toBe(2);
  });
});
