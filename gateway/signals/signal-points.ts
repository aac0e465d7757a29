import { decodeTrack, type Position, type TrackPoint } from '../../schema';
import { BadUserInputError } from '../errors/gateway-errors';
import { downsampleTrack } from '../track/downsample-track';

/** Largest `maxPoints` of `points` and `track`. */
export const MAX_POINTS_LIMIT = 10_000;

/** Checks a `maxPoints` argument: 2..10,000. */
export function checkMaxPoints(maxPoints: number, argument = 'maxPoints'): number {
  if (!Number.isInteger(maxPoints) || maxPoints < 2 || maxPoints > MAX_POINTS_LIMIT) {
    throw new BadUserInputError(`\`${argument}\` must be an integer in [2, ${MAX_POINTS_LIMIT}]`, { argument });
  }
  return maxPoints;
}

/** Stored track point as the API's Position. */
export function toPosition(point: TrackPoint): Position {
  return { time: new Date(point.time), lat: point.lat, lon: point.lon, speed: point.speed };
}

/** The kept samples of a packed track, downsampled to `maxPoints` (checked by {@link checkMaxPoints}) when given. */
export function pointsOfTrack(track: Uint8Array, maxPoints: number | undefined): Position[] {
  const points = decodeTrack(track);
  return (maxPoints === undefined ? points : downsampleTrack(points, maxPoints)).map(toPosition);
}
