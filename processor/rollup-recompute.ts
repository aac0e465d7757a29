import { FLEET_DEVICE_ID, hourBucketIdFor, hourStartOf, utcDayOf } from '../schema';
import { comparePositions } from './rollup-increments';

/** What a stored signal contributes to the rollups. */
export interface RollupContribution {
  deviceId: string;
  /** Message time, epoch ms (selects the hour bucket). */
  time: number;
  /** When ingest accepted it, epoch ms (first/last seen). */
  ingestedAt: number;
  dataVolume: number;
  distanceMeters: number;
  maxSpeed: number;
  speedSum: number;
  /** Kept samples (the denominator of the averages). */
  sampleCount: number;
  /** Last kept sample: the signal's candidate for the device's last position. */
  end: { time: number; lat: number; lon: number; speed: number };
}

/** A device rollup as stored in `devices`. */
export interface DeviceRollup {
  _id: string;
  firstSeen: Date;
  lastSeen: Date;
  lastPosition: { time: Date; lat: number; lon: number; speed: number };
  signalCount: number;
  totalDistanceMeters: number;
  maxSpeed: number;
  speedSum: number;
  sampleCount: number;
  dataVolume: number;
  /** Longest `end.time − time` of its signals (schema's Device.longestSignalSpanMs). */
  longestSignalSpanMs: number;
}

/** How long after its message time a signal's last kept sample was taken. */
export function signalSpanMs(signal: RollupContribution): number {
  return signal.end.time - signal.time;
}

/** An hour bucket as stored in `hour_buckets` (a device's, or the fleet's with deviceId `*`). */
export interface HourBucketRollup {
  _id: string;
  deviceId: string;
  hourStart: Date;
  /** UTC day of `hourStart` (`YYYY-MM-DD`), the key short-range reads use. */
  day: string;
  count: number;
  dataVolume: number;
  distanceMeters: number;
  maxSpeed: number;
  speedSum: number;
  sampleCount: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** Rollups recomputed from a set of signals. */
export interface RecomputedRollups {
  devices: Map<string, DeviceRollup>;
  /** Device and fleet hour buckets by `_id`. */
  buckets: Map<string, HourBucketRollup>;
}

/**
 * Computes, from scratch, the rollups the given signals add up to: the reference the write-time
 * increments must always equal. Feed it every stored signal of a device to get that device and its
 * hour buckets, every stored signal of an hour to get that hour's fleet bucket.
 *
 * Last position: the `end` with the latest time; ties go to the greater lat, then lon, then speed,
 * exactly as the write-time `$max` on the embedded document decides, so the order of signals
 * never matters.
 */
export function recomputeRollups(signals: Iterable<RollupContribution>): RecomputedRollups {
  const devices = new Map<string, DeviceRollup>();
  const buckets = new Map<string, HourBucketRollup>();
  for (const signal of signals) {
    const device = devices.get(signal.deviceId);
    const ingestedAt = new Date(signal.ingestedAt);
    if (device === undefined) {
      devices.set(signal.deviceId, {
        _id: signal.deviceId,
        firstSeen: ingestedAt,
        lastSeen: ingestedAt,
        lastPosition: { ...signal.end, time: new Date(signal.end.time) },
        signalCount: 1,
        totalDistanceMeters: signal.distanceMeters,
        maxSpeed: signal.maxSpeed,
        speedSum: signal.speedSum,
        sampleCount: signal.sampleCount,
        dataVolume: signal.dataVolume,
        longestSignalSpanMs: signalSpanMs(signal),
      });
    } else {
      if (signal.ingestedAt < device.firstSeen.getTime()) device.firstSeen = ingestedAt;
      if (signal.ingestedAt > device.lastSeen.getTime()) device.lastSeen = ingestedAt;
      const end = { ...signal.end, time: new Date(signal.end.time) };
      if (comparePositions(end, device.lastPosition) > 0) device.lastPosition = end;
      device.signalCount += 1;
      device.totalDistanceMeters += signal.distanceMeters;
      device.maxSpeed = Math.max(device.maxSpeed, signal.maxSpeed);
      device.speedSum += signal.speedSum;
      device.sampleCount += signal.sampleCount;
      device.dataVolume += signal.dataVolume;
      device.longestSignalSpanMs = Math.max(device.longestSignalSpanMs, signalSpanMs(signal));
    }
    addToBucket(buckets, signal.deviceId, signal);
    addToBucket(buckets, FLEET_DEVICE_ID, signal);
  }
  return { devices, buckets };
}

function addToBucket(buckets: Map<string, HourBucketRollup>, deviceId: string, signal: RollupContribution): void {
  const id = hourBucketIdFor(deviceId, signal.time);
  const bucket = buckets.get(id);
  const ingestedAt = new Date(signal.ingestedAt);
  if (bucket === undefined) {
    const hourStart = hourStartOf(signal.time);
    buckets.set(id, {
      _id: id,
      deviceId,
      hourStart,
      day: utcDayOf(hourStart),
      count: 1,
      dataVolume: signal.dataVolume,
      distanceMeters: signal.distanceMeters,
      maxSpeed: signal.maxSpeed,
      speedSum: signal.speedSum,
      sampleCount: signal.sampleCount,
      firstSeen: ingestedAt,
      lastSeen: ingestedAt,
    });
    return;
  }
  bucket.count += 1;
  bucket.dataVolume += signal.dataVolume;
  bucket.distanceMeters += signal.distanceMeters;
  bucket.maxSpeed = Math.max(bucket.maxSpeed, signal.maxSpeed);
  bucket.speedSum += signal.speedSum;
  bucket.sampleCount += signal.sampleCount;
  if (signal.ingestedAt < bucket.firstSeen.getTime()) bucket.firstSeen = ingestedAt;
  if (signal.ingestedAt > bucket.lastSeen.getTime()) bucket.lastSeen = ingestedAt;
}
