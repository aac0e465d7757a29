import { haversineMeters } from './haversine';
import type { TimedSample } from './sample-timeline';

/** Kept samples and how many were dropped as GPS jumps. */
export interface JumpFilterResult {
  kept: TimedSample[];
  droppedSamples: number;
}

/**
 * Drops GPS jumps: a sample whose implied speed from the previous KEPT sample exceeds
 * `maxSpeedKmh` is dropped (and counted); the first sample is always kept. Comparing with the
 * previous kept sample (not the previous sample) means one outlier cannot drag its successor out too.
 * Two samples at the same instant imply an infinite speed unless they are at the same place.
 */
export function filterJumps(samples: ReadonlyArray<TimedSample>, maxSpeedKmh: number): JumpFilterResult {
  const kept: TimedSample[] = [];
  let droppedSamples = 0;
  for (const sample of samples) {
    const previous = kept[kept.length - 1];
    if (previous !== undefined && impliedSpeedKmh(previous, sample) > maxSpeedKmh) {
      droppedSamples += 1;
      continue;
    }
    kept.push(sample);
  }
  return { kept, droppedSamples };
}

/** Speed needed to move from `from` to `to` in the time between them, km/h. */
export function impliedSpeedKmh(from: TimedSample, to: TimedSample): number {
  const meters = haversineMeters(from, to);
  const seconds = Math.abs(to.time - from.time) / 1000;
  if (seconds === 0) return meters === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (meters / seconds) * 3.6;
}
