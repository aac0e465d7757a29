import { smallestLongitudeArc, trackBBox } from './track-bbox';

const at = (lons: number[], lat = 0): Array<{ lat: number; lon: number }> => lons.map((lon) => ({ lat, lon }));

describe('smallestLongitudeArc', () => {
  it('is the plain min..max when no gap is wider than the one across the antimeridian', () => {
    expect(smallestLongitudeArc([10, -20, 30])).toEqual({ west: -20, east: 30, width: 50 });
  });

  it('goes across the antimeridian when that is the shorter way round', () => {
    expect(smallestLongitudeArc([179.9985, 179.9995, -179.9995, -179.9985])).toEqual({
      west: 179.9985,
      east: -179.9985,
      width: expect.closeTo(0.003, 9),
    });
  });

  it('prefers the plain arc on a tie', () => {
    // Gaps of 180 both ways: either half is as short, and the plain one needs no flag.
    expect(smallestLongitudeArc([-90, 90])).toEqual({ west: -90, east: 90, width: 180 });
  });

  it('finds the arc a sort of every gap finds, in one pass or not, for spans either side of half the circle', () => {
    // The plain definition: the complement of the largest gap between sorted neighbours, a tie
    // going to the gap across the antimeridian.
    const reference = (lons: number[]) => {
      const sorted = [...new Set(lons)].sort((a, b) => a - b);
      const first = sorted[0] as number;
      const last = sorted[sorted.length - 1] as number;
      let arc = { west: first, east: last, width: last - first };
      let largestGap = first + 360 - last;
      for (let i = 1; i < sorted.length; i += 1) {
        const gap = (sorted[i] as number) - (sorted[i - 1] as number);
        if (gap > largestGap) {
          largestGap = gap;
          arc = { west: sorted[i] as number, east: sorted[i - 1] as number, width: 360 - gap };
        }
      }
      return arc;
    };
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let run = 0; run < 2_000; run += 1) {
      // One to three narrow clusters anywhere: spans below and above 180, wide gaps inside them.
      const clusters = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        centre: random() * 360 - 180,
        width: random() * 30,
      }));
      const lons = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) => {
        const cluster = clusters[i % clusters.length] as { centre: number; width: number };
        const lon = cluster.centre + (random() - 0.5) * cluster.width;
        return lon >= 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
      });
      expect(smallestLongitudeArc(lons)).toEqual(reference(lons));
    }
    // Within rounding of 180°: the sum across the antimeridian decides, as in the sort.
    const nearHalf = [-31.10015147304549, 148.89984852695451];
    expect(smallestLongitudeArc(nearHalf)).toEqual(reference(nearHalf));
    // -0 counts as 0 (a Set does not tell them apart).
    expect(smallestLongitudeArc([-0, 5])).toEqual({ west: 0, east: 5, width: 5 });
  });

  it('is one meridian, width 0, for repeated longitudes and for 180 with -180', () => {
    expect(smallestLongitudeArc([5, 5, 5])).toEqual({ west: 5, east: 5, width: 0 });
    expect(smallestLongitudeArc([180, -180])).toEqual({ west: -180, east: -180, width: 0 });
  });
});

describe('trackBBox', () => {
  it('keeps a plain box for a track away from the antimeridian', () => {
    expect(
      trackBBox([
        { lat: 50, lon: 10 },
        { lat: 51, lon: 12 },
        { lat: 49, lon: 11 },
      ]),
    ).toEqual({
      minLat: 49,
      maxLat: 51,
      minLon: 10,
      maxLon: 12,
    });
  });

  it('stores a crossing track with minLon > maxLon and the flag, not as the whole world', () => {
    expect(trackBBox(at([179.9985, 179.9995, -179.9995, -179.9985], 0.5))).toEqual({
      minLat: 0.5,
      maxLat: 0.5,
      minLon: 179.9985,
      maxLon: -179.9985,
      crossesAntimeridian: true,
    });
  });

  it('keeps a box that only reaches exactly ±180 plain', () => {
    expect(trackBBox(at([170, 180]))).toEqual({ minLat: 0, maxLat: 0, minLon: 170, maxLon: 180 });
    expect(trackBBox(at([-180, -170]))).toEqual({ minLat: 0, maxLat: 0, minLon: -180, maxLon: -170 });
    // 180 and -179 are one degree apart: across, west edge normalized to the antimeridian.
    expect(trackBBox(at([180, -179]))).toEqual({ minLat: 0, maxLat: 0, minLon: -180, maxLon: -179 });
  });

  it('is a single point for one sample, the longitude as reported', () => {
    expect(trackBBox(at([180]))).toEqual({ minLat: 0, maxLat: 0, minLon: 180, maxLon: 180 });
    expect(trackBBox(at([-180]))).toEqual({ minLat: 0, maxLat: 0, minLon: -180, maxLon: -180 });
  });

  it('still wraps a wide track whose largest gap is around Greenwich', () => {
    expect(trackBBox(at([100, 150, -150, -100]))).toEqual({
      minLat: 0,
      maxLat: 0,
      minLon: 100,
      maxLon: -100,
      crossesAntimeridian: true,
    });
  });
});
