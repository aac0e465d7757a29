import type { TrackPoint } from '../../schema';
import { downsampleTrack } from './downsample-track';

function line(count: number, at: (i: number) => [number, number]): TrackPoint[] {
  return Array.from({ length: count }, (_, i) => {
    const [lat, lon] = at(i);
    return { time: 1_700_000_000_000 + i * 1000, lat, lon, speed: i % 7 };
  });
}

describe('downsampleTrack', () => {
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
