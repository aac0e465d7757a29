import { validateXRayMessage } from '../../schema';
import { seededRandom } from './seeded-random';
import {
  MOTION_PROFILES,
  type MotionProfile,
  type TrackPoint,
  initialTrackState,
  toXRayPayload,
  walkTrack,
} from './track.generator';

const MINUTE_MS = 60_000;
const START = Date.UTC(2026, 0, 1, 12, 0, 45, 123);

function haversineMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

const car = MOTION_PROFILES.find((p) => p.name === 'car') as MotionProfile;

describe('track generator', () => {
  it('packs offsets as milliseconds within the minute that fall back at each new minute', () => {
    const random = seededRandom(7);
    const { points } = walkTrack(initialTrackState({ lat: 51.34, lon: 12.34 }, 500, START, random), 200, car, random);
    const payload = toXRayPayload(points);

    expect(payload.time % MINUTE_MS).toBe(0);
    expect(payload.time).toBe(Date.UTC(2026, 0, 1, 12, 0, 0));
    let wraps = 0;
    payload.data.forEach(([offset], i) => {
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(MINUTE_MS);
      const previous = payload.data[i - 1];
      if (previous && offset < previous[0]) wraps += 1;
      // The processor's unwrap rule: time + offset + 60,000 × (decreases so far) is the fix's own time.
      expect(payload.time + offset + MINUTE_MS * wraps).toBe(points[i]?.timeMs);
    });
    const minutesSpanned = new Set(points.map((p) => Math.floor(p.timeMs / MINUTE_MS))).size;
    expect(wraps).toBe(minutesSpanned - 1);
    expect(wraps).toBeGreaterThanOrEqual(3);
  });

  it('never wraps within a message that stays inside one minute', () => {
    const random = seededRandom(3);
    const start = Date.UTC(2026, 0, 1, 12, 0, 0);
    const { points } = walkTrack(initialTrackState({ lat: 0, lon: 0 }, 10, start, random), 30, car, random);
    const offsets = toXRayPayload(points).data.map(([offset]) => offset);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it('keeps every step within the profile speed limit and samples about once a second', () => {
    for (const profile of MOTION_PROFILES) {
      const random = seededRandom(11);
      const { points } = walkTrack(
        initialTrackState({ lat: 48.85, lon: 2.35 }, 1000, START, random),
        600,
        profile,
        random,
      );
      for (let i = 1; i < points.length; i++) {
        const [a, b] = [points[i - 1], points[i]] as [TrackPoint, TrackPoint];
        const elapsedS = (b.timeMs - a.timeMs) / 1000;
        expect(elapsedS).toBeGreaterThan(0.98);
        expect(elapsedS).toBeLessThan(1.02);
        expect(b.speedMps).toBeGreaterThanOrEqual(0);
        expect(b.speedMps).toBeLessThanOrEqual(profile.maxSpeedMps);
        expect(haversineMeters(a, b)).toBeLessThanOrEqual(profile.maxSpeedMps * elapsedS + 0.01);
      }
    }
  });

  it('produces messages the ingest schema accepts, even across the antimeridian', () => {
    const random = seededRandom(5);
    const { points } = walkTrack(initialTrackState({ lat: 10, lon: 179.999 }, 10, START, random), 300, car, random);
    const result = validateXRayMessage({ dev: toXRayPayload(points) }, { nowMs: START + 3_600_000 });
    expect(result.ok).toBe(true);
  });

  it('repeats the same track for the same seed', () => {
    const walk = (seed: number) => {
      const random = seededRandom(seed);
      return walkTrack(initialTrackState({ lat: 1, lon: 1 }, 100, START, random), 50, car, random).points;
    };
    expect(walk(42)).toEqual(walk(42));
    expect(walk(42)).not.toEqual(walk(43));
  });
});
