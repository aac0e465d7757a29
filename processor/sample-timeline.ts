import { forEachSampleTime, type XRaySample } from '../schema';

/** One sample placed on the absolute time line. */
export interface TimedSample {
  /** Absolute sample time, epoch ms. */
  time: number;
  lat: number;
  lon: number;
  speed: number;
}

/**
 * Places samples on the absolute time line (the minute rule of {@link forEachSampleTime}).
 *
 * Validated offsets lie in 0..59,999, so times never go backwards and a message spans at most
 * 59,999 + 60,000 × (MAX_SAMPLES_PER_MESSAGE − 1) < 600,000,000 ms: its duration fits a GraphQL Int.
 */
export function unwrapSampleTimes(messageTime: number, data: ReadonlyArray<XRaySample>): TimedSample[] {
  const samples: TimedSample[] = [];
  forEachSampleTime(messageTime, data, (time, [, [lat, lon, speed]]) => samples.push({ time, lat, lon, speed }));
  return samples;
}
