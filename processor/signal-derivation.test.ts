import { decodeTrack, validateXRayMessage, type ValidXRayMessage } from '../schema';
import { loadSampleXRay } from '../test/support/sample-xray';
import { deriveSignal } from './signal-derivation';

function validated(body: unknown): ValidXRayMessage {
  const result = validateXRayMessage(body, { nowMs: Date.now() });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.message;
}

describe('deriveSignal', () => {
  it('derives the documented figures from the real device sample', () => {
    const sample = loadSampleXRay();
    const derived = deriveSignal(validated(JSON.parse(sample.raw.toString('utf8'))), sample.raw, 300);
    expect(derived.dataLength).toBe(563);
    expect(derived.dataVolume).toBe(72_488);
    expect(derived.stats.durationMs).toBe(1_110_967);
    expect(derived.stats.distanceMeters).toBeCloseTo(578.13, 2);
    expect(derived.stats.maxSpeed).toBeCloseTo(4.335532, 6);
    expect(derived.stats.avgSpeed).toBeCloseTo(1.16033, 5);
    expect(derived.stats.droppedSamples).toBe(0);
    expect(derived.keptSamples).toBe(563);
    expect(decodeTrack(derived.track)).toHaveLength(563);
  });

  it('leaves dropped jumps out of distance, speeds, bbox and track', () => {
    const time = Date.UTC(2025, 0, 1);
    const body = {
      d: {
        time,
        data: [
          [0, [50, 10, 2]],
          [1000, [51, 10, 900]], // 111 km in 1 s
          [2000, [50.0001, 10, 4]],
        ],
      },
    };
    const raw = Buffer.from(JSON.stringify(body));
    const derived = deriveSignal(validated(body), raw, 300);
    expect(derived.stats).toMatchObject({ droppedSamples: 1, maxSpeed: 4, avgSpeed: 3, speedSum: 6, durationMs: 2000 });
    expect(derived.stats.distanceMeters).toBeCloseTo(11.12, 1);
    expect(derived.bbox).toEqual({ minLat: 50, maxLat: 50.0001, minLon: 10, maxLon: 10 });
    expect(derived.dataLength).toBe(3);
    expect(derived.keptSamples).toBe(2);
    expect(derived.start).toEqual({ time, lat: 50, lon: 10, speed: 2 });
    expect(derived.end).toEqual({ time: time + 2000, lat: 50.0001, lon: 10, speed: 4 });
    expect(derived.dataVolume).toBe(raw.byteLength);
  });

  it('stores the bbox of a track crossing the antimeridian as the short way round', () => {
    const time = Date.UTC(2025, 0, 1);
    const lons = [179.9985, 179.9995, -179.9995, -179.9985];
    const body = { d: { time, data: lons.map((lon, i) => [i * 10_000, [0.5, lon, 10]]) } };
    const derived = deriveSignal(validated(body), Buffer.from(JSON.stringify(body)), 300);
    expect(derived.stats.droppedSamples).toBe(0);
    expect(derived.bbox).toEqual({
      minLat: 0.5,
      maxLat: 0.5,
      minLon: 179.9985,
      maxLon: -179.9985,
      crossesAntimeridian: true,
    });
  });
});
