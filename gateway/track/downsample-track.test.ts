import type { TrackPoint } from '../../schema';
import { downsampleTrack } from './downsample-track';

function line(count: number, at: (i: number) => [number, number]): TrackPoint[] {
  return Array.from({ length: count }, (_, i) => {
    const [lat, lon] = at(i);
    return { time: 1_700_000_000_000 + i * 1000, lat, lon, speed: i % 7 };
  });
}

/**
 * The same greedy Ramer–Douglas–Peucker written plainly (true distances, a linear search for the
 * farthest point over every open segment): what the optimized form must keep, point for point.
 */
function referenceKeptTimes(points: ReadonlyArray<TrackPoint>, maxPoints: number): number[] {
  const rad = Math.PI / 180;
  const cosRef = Math.cos((points.reduce((sum, p) => sum + p.lat, 0) / points.length) * rad);
  const x = (p: TrackPoint): number => p.lon * rad * cosRef * 6_371_008.8;
  const y = (p: TrackPoint): number => p.lat * rad * 6_371_008.8;
  const distance = (i: number, a: number, b: number): number => {
    const [p, s, e] = [points[i]!, points[a]!, points[b]!];
    const [dx, dy] = [x(e) - x(s), y(e) - y(s)];
    const [px, py] = [x(p) - x(s), y(p) - y(s)];
    const lengthSq = dx * dx + dy * dy;
    const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / lengthSq));
    return Math.hypot(px - t * dx, py - t * dy);
  };
  const kept = new Set([0, points.length - 1]);
  while (kept.size < maxPoints) {
    const sorted = [...kept].sort((a, b) => a - b);
    let best = { index: -1, distance: 1e-3 };
    for (let k = 0; k + 1 < sorted.length; k += 1)
      for (let i = sorted[k]! + 1; i < sorted[k + 1]!; i += 1) {
        const d = distance(i, sorted[k]!, sorted[k + 1]!);
        if (d > best.distance) best = { index: i, distance: d };
      }
    if (best.index < 0) break;
    kept.add(best.index);
  }
  return [...kept].sort((a, b) => a - b).map((i) => points[i]!.time);
}

describe('downsampleTrack', () => {
  it('keeps the points a plain greedy Ramer–Douglas–Peucker keeps, on a noisy walk', () => {
    let seed = 7;
    const noise = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648 - 0.5;
    };
    let [lat, lon] = [51.34, 12.339];
    const points = line(1500, () => {
      lat += noise() * 2e-5;
      lon += noise() * 2e-5 + 1e-6;
      return [lat, lon];
    });
    expect(downsampleTrack(points, 120).map((p) => p.time)).toEqual(referenceKeptTimes(points, 120));
  });

  it('returns every point when there are no more than maxPoints', () => {
    const points = line(5, (i) => [45 + i * 0.001, 7]);
    expect(downsampleTrack(points, 5)).toEqual(points);
  });

  it('keeps exactly maxPoints points, in time order, ends included', () => {
    const points = line(1000, (i) => [45 + Math.sin(i / 30) * 0.01, 7 + i * 0.0001]);
    const kept = downsampleTrack(points, 50);
    expect(kept).toHaveLength(50);
    expect(kept[0]).toBe(points[0]);
    expect(kept[kept.length - 1]).toBe(points[points.length - 1]);
    for (let i = 1; i < kept.length; i += 1)
      expect((kept[i] as TrackPoint).time).toBeGreaterThan((kept[i - 1] as TrackPoint).time);
  });

  it('keeps the corner of an L-shaped track with three points', () => {
    const points = [...line(100, (i) => [45, 7 + i * 0.001]), ...line(100, (i) => [45 + (i + 1) * 0.001, 7.099])].map(
      (p, i) => ({ ...p, time: i }),
    );
    const kept = downsampleTrack(points, 3);
    expect(kept.map((p) => [p.lat, p.lon])).toEqual([
      [45, 7],
      [45, 7.099],
      [45.1, 7.099],
    ]);
  });

  it('drops collinear points rather than padding up to maxPoints', () => {
    const points = line(100, (i) => [45, 7 + i * 0.001]);
    expect(downsampleTrack(points, 10)).toHaveLength(2);
  });

  it('refuses maxPoints below two', () => {
    expect(() =>
      downsampleTrack(
        line(3, () => [0, 0]),
        1,
      ),
    ).toThrow(RangeError);
  });
});
