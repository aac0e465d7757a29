import type { XRaySample } from '../schema';

/** One sample placed on the absolute time line. */
export interface TimedSample {
  /** Absolute sample time, epoch ms. */
  time: number;
  lat: number;
  lon: number;
  speed: number;
}

const MINUTE_MS = 60_000;

/**
 * Places samples on the absolute time line. Devices send offsets as milliseconds within the current
 * minute, so an offset smaller than its predecessor means a new minute began:
 * sample time = `time` + offset + 60,000 × (number of decreases so far).
 *
 * Validated offsets lie in 0..59,999, so times never go backwards and a message spans at most
 * 59,999 + 60,000 × (MAX_SAMPLES_PER_MESSAGE − 1) < 600,000,000 ms: its duration fits a GraphQL Int.
 */
export function unwrapSampleTimes(messageTime: number, data: ReadonlyArray<XRaySample>): TimedSample[] {
  const samples: TimedSample[] = [];
  let minutesElapsed = 0;
  let previousOffset: number | undefined;
  for (const [offset, [lat, lon, speed]] of data) {
    if (previousOffset !== undefined && offset < previousOffset) minutesElapsed += 1;
    previousOffset = offset;
    samples.push({ time: messageTime + offset + MINUTE_MS * minutesElapsed, lat, lon, speed });
  }
  return samples;
}
