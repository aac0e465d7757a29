import { haversineMeters } from './haversine';
import type { TimedSample } from './sample-timeline';

/** Kept samples and how many were dropped as GPS jumps. */
export interface JumpFilterResult {
  kept: TimedSample[];
  droppedSamples: number;
}

/**
 * Drops GPS jumps, so that every two consecutive kept samples are reachable one from the other at
 * `maxSpeedKmh` (two samples at the same instant only when at the same place).
 *
 * A sample reachable from the last KEPT sample is kept; comparing with the last kept sample (not
 * the previous sample) means one outlier cannot drag its successor out too. A sample that is not
 * starts (or extends, when reachable from the run's last sample) a run of rejected samples that
 * agree with each other. The run is an excursion, dropped, as soon as a later sample is reachable
 * from the last kept one again, or at the end of the message. But once the run holds more samples
 * than have been kept so far, the kept samples are the outliers (a bad first fix, say at 0,0 before
 * the receiver locked on) and the run replaces them: the larger of two contradicting tracks wins.
 *
 * A genuine leap (e.g. a position frozen through a tunnel, then reacquired far away) is one of
 * those two cases: the side with fewer samples is dropped. Long into a message that is the samples
 * after the leap, until enough time has passed since the last kept sample that the leap is
 * reachable at `maxSpeedKmh`; from then on samples are kept again and the leap counts in the
 * distance. Each sample is appended and moved at most once, and the samples before the first kept
 * one are walked back once at the end (to restore a start a burst displaced): O(n).
 */
export function filterJumps(samples: ReadonlyArray<TimedSample>, maxSpeedKmh: number): JumpFilterResult {
  const reachable = (from: TimedSample, to: TimedSample) => impliedSpeedKmh(from, to) <= maxSpeedKmh;
  let kept: TimedSample[] = [];
  let run: TimedSample[] = [];
  let droppedSamples = 0;
  for (const sample of samples) {
    const anchor = kept[kept.length - 1];
    if (anchor === undefined || reachable(anchor, sample)) {
      droppedSamples += run.length;
      run = [];
      kept.push(sample);
      continue;
    }
    const runEnd = run[run.length - 1];
    if (runEnd === undefined || !reachable(runEnd, sample)) {
      droppedSamples += run.length;
      run = [];
    }
    run.push(sample);
    if (run.length > kept.length) {
      droppedSamples += kept.length;
      kept = run;
      run = [];
    }
  }
  droppedSamples += run.length;
  // A run that replaced the first kept samples and was replaced in turn (a burst of agreeing bad
  // fixes early on, then the real track back) took those samples along: walk back from the first
  // kept sample and put back every earlier one that leads to it.
  const start = kept[0];
  if (start === undefined) return { kept, droppedSamples };
  const restored: TimedSample[] = [];
  let first = start;
  for (let index = samples.indexOf(start) - 1; index >= 0; index -= 1) {
    const sample = samples[index] as TimedSample;
    if (sample.time < first.time && reachable(sample, first)) {
      restored.push(sample);
      first = sample;
    }
  }
  if (restored.length === 0) return { kept, droppedSamples };
  return { kept: [...restored.reverse(), ...kept], droppedSamples: droppedSamples - restored.length };
}

/** Speed needed to move from `from` to `to` in the time between them, km/h. */
export function impliedSpeedKmh(from: TimedSample, to: TimedSample): number {
  const meters = haversineMeters(from, to);
  const seconds = Math.abs(to.time - from.time) / 1000;
  if (seconds === 0) return meters === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (meters / seconds) * 3.6;
}
