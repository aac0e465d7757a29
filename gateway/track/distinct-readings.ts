import type { TrackPoint } from '../../schema';

/**
 * `points` (in time order) without repeated readings: a device that re-sends samples in a later
 * message (a retry with one more sample, say) stores them twice, and a track drawn through both
 * copies doubles back on itself and overstates its distance. A reading is repeated when a point
 * already kept has the same time, position and speed (copies of one instant sort next to each
 * other, but interleaved with other readings of that instant).
 */
export function distinctReadings(points: ReadonlyArray<TrackPoint>): TrackPoint[] {
  const distinct: TrackPoint[] = [];
  let instant: number | undefined;
  const seenAtInstant = new Set<string>();
  for (const point of points) {
    if (point.time !== instant) {
      instant = point.time;
      seenAtInstant.clear();
    }
    const reading = `${point.lat},${point.lon},${point.speed}`;
    if (seenAtInstant.has(reading)) continue;
    seenAtInstant.add(reading);
    distinct.push(point);
  }
  return distinct;
}
