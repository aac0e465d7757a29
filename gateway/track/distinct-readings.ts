import type { TrackPoint } from '../../schema';

/**
 * `points` (in time order) without repeated readings: a device that re-sends samples in a later
 * message (a retry with one more sample, say) stores them twice, and a track drawn through both
 * copies doubles back on itself and overstates its distance. A reading counts as repeated when the
 * point just kept has the same time, position and speed.
 */
export function distinctReadings(points: ReadonlyArray<TrackPoint>): TrackPoint[] {
  const distinct: TrackPoint[] = [];
  for (const point of points) {
    const previous = distinct[distinct.length - 1];
    if (
      previous !== undefined &&
      previous.time === point.time &&
      previous.lat === point.lat &&
      previous.lon === point.lon &&
      previous.speed === point.speed
    ) {
      continue;
    }
    distinct.push(point);
  }
  return distinct;
}
