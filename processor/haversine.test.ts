import { EARTH_RADIUS_METERS, haversineMeters } from './haversine';

describe('haversineMeters', () => {
  it('is zero between a point and itself', () => {
    expect(haversineMeters({ lat: 51.34, lon: 12.34 }, { lat: 51.34, lon: 12.34 })).toBe(0);
  });

  it('measures one degree of latitude as R·π/180', () => {
    expect(haversineMeters({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(
      (EARTH_RADIUS_METERS * Math.PI) / 180,
      6,
    );
  });

  it('measures half the circumference between antipodes', () => {
    expect(haversineMeters({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(EARTH_RADIUS_METERS * Math.PI, 3);
  });

  it('matches a known city distance (Leipzig–Berlin ≈ 149 km)', () => {
    const meters = haversineMeters({ lat: 51.3397, lon: 12.3731 }, { lat: 52.52, lon: 13.405 });
    expect(meters).toBeGreaterThan(148_000);
    expect(meters).toBeLessThan(150_500);
  });

  it('is symmetric', () => {
    const a = { lat: -33.9, lon: 151.2 };
    const b = { lat: 40.7, lon: -74 };
    expect(haversineMeters(a, b)).toBeCloseTo(haversineMeters(b, a), 6);
  });
});
