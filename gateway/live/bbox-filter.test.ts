import { bboxIntersects, validateBBox } from './bbox-filter';

describe('validateBBox', () => {
  it('accepts a box within range with min <= max', () => {
    expect(validateBBox({ minLat: -10, maxLat: 10, minLon: -180, maxLon: 180 })).toEqual({
      minLat: -10,
      maxLat: 10,
      minLon: -180,
      maxLon: 180,
    });
  });

  it('refuses an inverted box with BAD_USER_INPUT naming the edge', () => {
    expect(() => validateBBox({ minLat: 5, maxLat: 4, minLon: 0, maxLon: 1 })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
    expect(() => validateBBox({ minLat: 0, maxLat: 1, minLon: 3, maxLon: 2 })).toThrow(/minLon must not exceed maxLon/);
  });

  it('refuses out-of-range and non-finite coordinates', () => {
    expect(() => validateBBox({ minLat: -91, maxLat: 0, minLon: 0, maxLon: 1 })).toThrow(
      /minLat must be within -90..90/,
    );
    expect(() => validateBBox({ minLat: 0, maxLat: 1, minLon: 0, maxLon: Number.NaN })).toThrow(/maxLon/);
  });
});

describe('bboxIntersects', () => {
  const box = { minLat: 0, maxLat: 10, minLon: 0, maxLon: 10 };

  it('is true for overlapping, containing and edge-touching boxes', () => {
    expect(bboxIntersects(box, { minLat: 5, maxLat: 15, minLon: 5, maxLon: 15 })).toBe(true);
    expect(bboxIntersects(box, { minLat: 2, maxLat: 3, minLon: 2, maxLon: 3 })).toBe(true);
    expect(bboxIntersects(box, { minLat: 10, maxLat: 11, minLon: 10, maxLon: 11 })).toBe(true);
  });

  it('is false for boxes apart in latitude or longitude', () => {
    expect(bboxIntersects(box, { minLat: 11, maxLat: 12, minLon: 0, maxLon: 10 })).toBe(false);
    expect(bboxIntersects(box, { minLat: 0, maxLat: 10, minLon: -5, maxLon: -0.1 })).toBe(false);
  });
});
