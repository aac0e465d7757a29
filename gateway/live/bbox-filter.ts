import { BadUserInputError } from '../errors/gateway-errors';

/** A validated latitude/longitude box (inclusive edges). */
export interface BBoxFilter {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/**
 * Checks a client's box: finite numbers, latitudes within -90..90, longitudes within -180..180,
 * min <= max. Boxes across the antimeridian are asked for as two subscriptions.
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
  if (minLon > maxLon) problems.push('minLon must not exceed maxLon');
  if (problems.length > 0)
    throw new BadUserInputError(`invalid ${argumentName}: ${problems.join('; ')}`, {
      argument: argumentName,
      problems,
    });
  return { minLat, maxLat, minLon, maxLon };
}

/** Whether two boxes share at least one point. */
export function bboxIntersects(a: BBoxFilter, b: BBoxFilter): boolean {
  return a.minLat <= b.maxLat && a.maxLat >= b.minLat && a.minLon <= b.maxLon && a.maxLon >= b.minLon;
}
