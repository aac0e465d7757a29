import type { DeviceStats } from './device-stats.type';
import { TrendBucket } from './trend-bucket.enum';
import type { TrendPoint } from './trend-point.type';

/** The figures of one stored hour bucket that stats and trends are made of. */
export interface HourFigures {
  hourStart: Date;
  count: number;
  dataVolume: number;
  distanceMeters: number;
  maxSpeed: number;
  speedSum: number;
  sampleCount: number;
  firstSeen?: Date | null;
  lastSeen?: Date | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Width of a bucket, ms. */
export function bucketWidthMs(bucket: TrendBucket): number {
  return bucket === TrendBucket.DAY ? DAY_MS : HOUR_MS;
}

/** Start of the UTC bucket containing `ms`. */
export function bucketStartOf(ms: number, bucket: TrendBucket): number {
  const width = bucketWidthMs(bucket);
  return ms - (((ms % width) + width) % width);
}

/** Most points one `trends` answer may hold. */
export const MAX_TREND_POINTS = 10_000;

/** Buckets a trend over [from, to) has: from the one containing `from` to the last starting before `to`. */
export function trendLength(fromMs: number, toMs: number, bucket: TrendBucket): number {
  if (toMs <= fromMs) return 0;
  return Math.ceil((toMs - bucketStartOf(fromMs, bucket)) / bucketWidthMs(bucket));
}

/** Sums hour buckets into one set of figures (sums, max, speed mean weighted by samples, min/max seen). */
export function sumHourFigures(hours: ReadonlyArray<HourFigures>): DeviceStats {
  let signalCount = 0;
  let dataVolume = 0;
  let distanceMeters = 0;
  let maxSpeed = 0;
  let speedSum = 0;
  let sampleCount = 0;
  let firstSeen: Date | null = null;
  let lastSeen: Date | null = null;
  for (const h of hours) {
    signalCount += h.count;
    dataVolume += h.dataVolume;
    distanceMeters += h.distanceMeters;
    maxSpeed = Math.max(maxSpeed, h.maxSpeed);
    speedSum += h.speedSum;
    sampleCount += h.sampleCount;
    if (h.firstSeen && (firstSeen === null || h.firstSeen < firstSeen)) firstSeen = h.firstSeen;
    if (h.lastSeen && (lastSeen === null || h.lastSeen > lastSeen)) lastSeen = h.lastSeen;
  }
  return {
    signalCount,
    dataVolume,
    distanceMeters,
    maxSpeed,
    avgSpeed: sampleCount > 0 ? speedSum / sampleCount : 0,
    firstSeen,
    lastSeen,
  };
}

/**
 * A dense series over [from, to): one point per bucket, empty buckets as zeros, so charts need
 * no gap handling. Hours outside the range are ignored.
 */
export function trendSeries(
  hours: ReadonlyArray<HourFigures>,
  fromMs: number,
  toMs: number,
  bucket: TrendBucket,
): TrendPoint[] {
  const width = bucketWidthMs(bucket);
  const first = bucketStartOf(fromMs, bucket);
  const length = trendLength(fromMs, toMs, bucket);
  const groups: HourFigures[][] = Array.from({ length }, () => []);
  for (const hour of hours) {
    const index = Math.floor((hour.hourStart.getTime() - first) / width);
    if (index >= 0 && index < length && hour.hourStart.getTime() < toMs) (groups[index] as HourFigures[]).push(hour);
  }
  return groups.map((group, index) => {
    const sum = sumHourFigures(group);
    return {
      bucketStart: new Date(first + index * width),
      count: sum.signalCount,
      dataVolume: sum.dataVolume,
      distanceMeters: sum.distanceMeters,
      maxSpeed: sum.maxSpeed,
      avgSpeed: sum.avgSpeed,
    };
  });
}
