import { BadUserInputError } from '../errors/gateway-errors';

/**
 * A validated latitude/longitude box (inclusive edges), GeoJSON convention (RFC 7946 §5.2):
 * `minLon` is the western edge and `maxLon` the eastern one, so `minLon > maxLon` is a box across
 * the antimeridian (minLon..180 and -180..maxLon). Longitudes 180 and -180 are the same meridian.
 */
export interface BBoxFilter {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/** The stored flag of a box across the antimeridian (see the processor's `TrackBBox`); absent on plain boxes. */
export const CROSSES_ANTIMERIDIAN_FIELD = 'bbox.crossesAntimeridian';

/**
 * Checks a client's box: finite numbers, latitudes within -90..90 with min <= max, longitudes
 * within -180..180 in either order (minLon > maxLon crosses the antimeridian).
 * Throws BAD_USER_INPUT naming the argument.
 */
export function validateBBox(box: BBoxFilter, argumentName = 'bbox'): BBoxFilter {
  const { minLat, maxLat, minLon, maxLon } = box;
  const problems: string[] = [];
  for (const [name, value, limit] of [
    ['minLat', minLat, 90],
    ['maxLat', maxLat, 90],
    ['minLon', minLon, 180],
    ['maxLon', maxLon, 180],
  ] as const) {
    if (!Number.isFinite(value) || Math.abs(value) > limit) problems.push(`${name} must be within -${limit}..${limit}`);
  }
  if (minLat > maxLat) problems.push('minLat must not exceed maxLat');
  if (problems.length > 0)
    throw new BadUserInputError(`invalid ${argumentName}: ${problems.join('; ')}`, {
      argument: argumentName,
      problems,
    });
  return { minLat, maxLat, minLon, maxLon };
}

type LonInterval = readonly [low: number, high: number];

/**
 * The longitudes of a box as plain intervals of [-180, 180]: one for a plain box, two for a box
 * across the antimeridian. An interval touching one side of the antimeridian also gets the single
 * meridian on the other side, so that 180 and -180 meet; intervals inside another are dropped.
 */
function longitudeIntervals(box: BBoxFilter): LonInterval[] {
  const intervals: LonInterval[] =
    box.minLon <= box.maxLon
      ? [[box.minLon, box.maxLon]]
      : [
          [box.minLon, 180],
          [-180, box.maxLon],
        ];
  for (const [low, high] of [...intervals]) {
    if (high >= 180) intervals.push([-180, -180]);
    if (low <= -180) intervals.push([180, 180]);
  }
  return intervals.filter(
    ([low, high], index) =>
      !intervals.some(
        ([otherLow, otherHigh], otherIndex) =>
          otherIndex !== index &&
          otherLow <= low &&
          otherHigh >= high &&
          // Of two equal intervals keep the first.
          (otherLow !== low || otherHigh !== high || otherIndex < index),
      ),
  );
}

/** Whether two boxes share at least one point; either may cross the antimeridian. */
export function bboxIntersects(a: BBoxFilter, b: BBoxFilter): boolean {
  if (a.minLat > b.maxLat || a.maxLat < b.minLat) return false;
  const bIntervals = longitudeIntervals(b);
  return longitudeIntervals(a).some(([aLow, aHigh]) =>
    bIntervals.some(([bLow, bHigh]) => aLow <= bHigh && aHigh >= bLow),
  );
}

/** {@link bboxIntersects} against the stored `bbox` as a Mongo filter: ranges to merge into a query, and alternatives of which one must hold. */
export interface BBoxIntersectionQuery {
  /** Latitude ranges (top-level conditions on `bbox.minLat`/`bbox.maxLat`). */
  ranges: Record<string, unknown>;
  /** Longitude alternatives for an `$or`; undefined when every longitude is in the box. */
  anyOf?: Array<Record<string, unknown>>;
}

/**
 * The stored signals whose `bbox` intersects `box`, with ranges, equality and `$or` only (no `$expr`,
 * no geo index: neither exists on FerretDB v1). For each longitude interval [low, high] of the box,
 * a stored plain box [w, e] meets it when `w <= high and e >= low`; a stored box across the
 * antimeridian (flagged, since `w > e` cannot be queried) covers w..180 and -180..e, so it meets
 * it when `w <= high or e >= low`. The first alternative is also sound for flagged boxes, so it
 * needs no "not flagged" condition (which would be `$ne`, useless to an index). Conditions that
 * every stored box meets (`w <= 180`, `e >= -180`) are left out.
 */
export function bboxIntersectionQuery(box: BBoxFilter): BBoxIntersectionQuery {
  const ranges = { 'bbox.minLat': { $lte: box.maxLat }, 'bbox.maxLat': { $gte: box.minLat } };
  const flagged = { [CROSSES_ANTIMERIDIAN_FIELD]: true };
  const lonConditions = (low: number, high: number): Record<string, unknown> => ({
    ...(high < 180 ? { 'bbox.minLon': { $lte: high } } : {}),
    ...(low > -180 ? { 'bbox.maxLon': { $gte: low } } : {}),
  });
  const anyOf: Array<Record<string, unknown>> = [];
  for (const [low, high] of longitudeIntervals(box)) {
    anyOf.push(
      lonConditions(low, high),
      { ...flagged, ...lonConditions(-180, high) },
      { ...flagged, ...lonConditions(low, 180) },
    );
  }
  // An empty alternative is every box; an alternative without its longitude condition is every flagged box.
  if (anyOf.some((alternative) => Object.keys(alternative).length === 0)) return { ranges };
  const everyFlagged = anyOf.some(
    (alternative) => Object.keys(alternative).length === 1 && CROSSES_ANTIMERIDIAN_FIELD in alternative,
  );
  const kept = everyFlagged
    ? [...anyOf.filter((alternative) => !(CROSSES_ANTIMERIDIAN_FIELD in alternative)), flagged]
    : anyOf;
  const distinct = [...new Map(kept.map((alternative) => [JSON.stringify(alternative), alternative])).values()];
  return { ranges, anyOf: distinct };
}
