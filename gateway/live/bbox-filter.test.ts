import { bboxIntersectionQuery, bboxIntersects, validateBBox, type BBoxFilter } from './bbox-filter';

describe('validateBBox', () => {
  it('accepts a box within range with min <= max', () => {
    expect(validateBBox({ minLat: -10, maxLat: 10, minLon: -180, maxLon: 180 })).toEqual({
      minLat: -10,
      maxLat: 10,
      minLon: -180,
      maxLon: 180,
    });
  });

  it('accepts a box across the antimeridian (minLon > maxLon)', () => {
    expect(validateBBox({ minLat: 0, maxLat: 1, minLon: 170, maxLon: -170 })).toEqual({
      minLat: 0,
      maxLat: 1,
      minLon: 170,
      maxLon: -170,
    });
  });

  it('refuses inverted latitudes with BAD_USER_INPUT naming the edge', () => {
    expect(() => validateBBox({ minLat: 5, maxLat: 4, minLon: 0, maxLon: 1 })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
    expect(() => validateBBox({ minLat: 5, maxLat: 4, minLon: 0, maxLon: 1 })).toThrow(/minLat must not exceed maxLat/);
  });

  it('refuses out-of-range and non-finite coordinates', () => {
    expect(() => validateBBox({ minLat: -91, maxLat: 0, minLon: 0, maxLon: 1 })).toThrow(
      /minLat must be within -90..90/,
    );
    expect(() => validateBBox({ minLat: 0, maxLat: 1, minLon: 0, maxLon: Number.NaN })).toThrow(/maxLon/);
    expect(() => validateBBox({ minLat: 0, maxLat: 1, minLon: 181, maxLon: -170 })).toThrow(/minLon/);
  });
});

const lonBox = (minLon: number, maxLon: number): BBoxFilter => ({ minLat: -1, maxLat: 1, minLon, maxLon });
/** The crossing track of the bug report, as the processor stores it. */
const crossingTrack = lonBox(179.9985, -179.9985);

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

  it('does not take a crossing box for the whole world', () => {
    expect(bboxIntersects(crossingTrack, lonBox(0, 10))).toBe(false);
    expect(bboxIntersects(crossingTrack, lonBox(-10, 10))).toBe(false);
  });

  it('finds a crossing box from either side of the antimeridian and from a crossing filter', () => {
    expect(bboxIntersects(crossingTrack, lonBox(179, 180))).toBe(true);
    expect(bboxIntersects(crossingTrack, lonBox(-180, -179))).toBe(true);
    expect(bboxIntersects(crossingTrack, lonBox(179.999, 179.9991))).toBe(true);
    expect(bboxIntersects(crossingTrack, lonBox(170, -170))).toBe(true);
    expect(bboxIntersects(lonBox(170, -170), crossingTrack)).toBe(true);
  });

  it('misses a crossing box from a plain box just short of it', () => {
    expect(bboxIntersects(crossingTrack, lonBox(170, 179.998))).toBe(false);
    expect(bboxIntersects(crossingTrack, lonBox(-179.998, -170))).toBe(false);
  });

  it('treats 180 and -180 as one meridian', () => {
    expect(bboxIntersects(lonBox(180, 180), lonBox(-180, -170))).toBe(true);
    expect(bboxIntersects(lonBox(-180, -180), lonBox(170, 180))).toBe(true);
    expect(bboxIntersects(lonBox(170, 180), lonBox(-180, -170))).toBe(true);
    expect(bboxIntersects(lonBox(180, 180), lonBox(-179.5, -170))).toBe(false);
  });

  it('matches anything in latitude range against a box covering all longitudes', () => {
    expect(bboxIntersects(lonBox(-180, 180), lonBox(5, 5))).toBe(true);
    expect(bboxIntersects(lonBox(-180, 180), crossingTrack)).toBe(true);
    expect(bboxIntersects({ ...lonBox(-180, 180), minLat: 2, maxLat: 3 }, crossingTrack)).toBe(false);
  });

  it('compares single-point boxes by their point', () => {
    expect(bboxIntersects(lonBox(5, 5), lonBox(5, 5))).toBe(true);
    expect(bboxIntersects(lonBox(5, 5), lonBox(5.001, 5.001))).toBe(false);
    expect(bboxIntersects(lonBox(5, 5), lonBox(170, 10))).toBe(true);
    expect(bboxIntersects(lonBox(50, 50), lonBox(170, 10))).toBe(false);
  });

  it('finds any two crossing boxes intersecting (both hold the antimeridian)', () => {
    expect(bboxIntersects(lonBox(179, -179), lonBox(100, -100))).toBe(true);
    expect(bboxIntersects(lonBox(180, -180), lonBox(179.5, -179.5))).toBe(true);
  });
});

/** Whether `box` holds longitude `lon`, by the definition (an independent check of both functions). */
function holds(box: BBoxFilter, lon: number): boolean {
  const inside = (x: number): boolean =>
    box.minLon <= box.maxLon ? box.minLon <= x && x <= box.maxLon : x >= box.minLon || x <= box.maxLon;
  return inside(lon) || (Math.abs(lon) === 180 && inside(-lon));
}

/** Two longitude sets meet iff one holds an edge of the other (plus the antimeridian). */
function referenceIntersects(a: BBoxFilter, b: BBoxFilter): boolean {
  if (a.minLat > b.maxLat || a.maxLat < b.minLat) return false;
  return [a.minLon, a.maxLon, b.minLon, b.maxLon, 180].some((lon) => holds(a, lon) && holds(b, lon));
}

type Stored = BBoxFilter & { crossesAntimeridian?: boolean };

/** Evaluates the little Mongo dialect `bboxIntersectionQuery` emits (dotted paths, $lte, $gte, equality, $or). */
function matches(query: Record<string, unknown>, doc: { bbox: Stored }): boolean {
  return Object.entries(query).every(([key, condition]) => {
    if (key === '$or') return (condition as Array<Record<string, unknown>>).some((q) => matches(q, doc));
    const value = (doc.bbox as unknown as Record<string, unknown>)[key.replace(/^bbox\./, '')];
    if (condition !== null && typeof condition === 'object') {
      const { $lte, $gte } = condition as { $lte?: number; $gte?: number };
      return (
        typeof value === 'number' && ($lte === undefined || value <= $lte) && ($gte === undefined || value >= $gte)
      );
    }
    return value === condition;
  });
}

describe('bboxIntersectionQuery', () => {
  const edges = [-180, -179.9985, -170, -10, 0, 5, 10, 170, 179.9985, 180];
  const boxes: BBoxFilter[] = edges.flatMap((minLon) => edges.map((maxLon) => lonBox(minLon, maxLon)));
  /** How the processor stores a box: flagged when it crosses; old plain documents have no flag. */
  const stored = (box: BBoxFilter): Stored => (box.minLon > box.maxLon ? { ...box, crossesAntimeridian: true } : box);

  it('selects exactly the stored boxes that bboxIntersects (and the reference) say meet the filter', () => {
    for (const filter of boxes) {
      const { ranges, anyOf } = bboxIntersectionQuery(filter);
      const query = anyOf ? { ...ranges, $or: anyOf } : ranges;
      for (const box of boxes) {
        const expected = referenceIntersects(box, filter);
        expect({ filter, box, pure: bboxIntersects(box, filter) }).toEqual({ filter, box, pure: expected });
        expect({ filter, box, query: matches(query, { bbox: stored(box) }) }).toEqual({ filter, box, query: expected });
      }
    }
  });

  it('applies latitude as plain ranges', () => {
    const { ranges } = bboxIntersectionQuery({ minLat: -2, maxLat: 3, minLon: 0, maxLon: 10 });
    expect(ranges).toEqual({ 'bbox.minLat': { $lte: 3 }, 'bbox.maxLat': { $gte: -2 } });
    expect(matches(ranges, { bbox: { minLat: 4, maxLat: 5, minLon: 0, maxLon: 1 } })).toBe(false);
  });

  it('needs no longitude condition for a box covering every longitude', () => {
    expect(bboxIntersectionQuery(lonBox(-180, 180)).anyOf).toBeUndefined();
  });

  it('turns a crossing filter into three ranges and the flag', () => {
    expect(bboxIntersectionQuery(lonBox(170, -170)).anyOf).toEqual([
      { 'bbox.maxLon': { $gte: 170 } },
      { 'bbox.minLon': { $lte: -170 } },
      { 'bbox.crossesAntimeridian': true },
    ]);
  });
});
