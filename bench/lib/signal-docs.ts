import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { encodeTrack, FLEET_DEVICE_ID, hourBucketIdFor, hourStartOf, type TrackPoint, type XRayMessage } from '../../schema';

const EARTH_RADIUS_METERS = 6_371_008.8;

function haversineMeters(a: TrackPoint, b: TrackPoint): number {
  const toRad = (deg: number): number => (deg * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The sample's samples as relative points (time from the message time, offsets unwrapped per minute). */
export function relativeTrackOf(message: XRayMessage): TrackPoint[] {
  const payload = Object.values(message)[0];
  if (!payload) return [];
  const points: TrackPoint[] = [];
  let minutes = 0;
  let previousOffset = -1;
  for (const [offset, [lat, lon, speed]] of payload.data) {
    if (offset < previousOffset) minutes += 1;
    previousOffset = offset;
    points.push({ time: offset + minutes * 60_000, lat, lon, speed });
  }
  return points;
}

/** A stored signal document as the processor writes it (plain object for the driver's insertMany). */
export interface SignalDocument {
  _id: Types.ObjectId;
  deviceId: string;
  time: Date;
  dataLength: number;
  dataVolume: number;
  stats: { distanceMeters: number; maxSpeed: number; avgSpeed: number; durationMs: number; droppedSamples: number };
  bbox: { minLat: number; maxLat: number; minLon: number; maxLon: number };
  start: { time: Date; lat: number; lon: number; speed: number };
  end: { time: Date; lat: number; lon: number; speed: number };
  ingestedAt: Date;
  track: Buffer;
  rawSha256: string;
  rawPayloadId: Types.ObjectId;
  idempotencyKey: string;
  rollupState: 'applied';
}

/** Builds the signal document of `relative` points shifted to `time` (and by `latShift` degrees, so tracks differ). */
export function signalDocumentFor(options: {
  deviceId: string;
  time: number;
  relative: ReadonlyArray<TrackPoint>;
  dataVolume: number;
  rawPayloadId: Types.ObjectId;
  ingestedAt: Date;
  latShift?: number;
}): SignalDocument {
  const shift = options.latShift ?? 0;
  const points = options.relative.map((point) => ({ time: options.time + point.time, lat: point.lat + shift, lon: point.lon, speed: point.speed }));
  let distanceMeters = 0;
  let maxSpeed = 0;
  let speedSum = 0;
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous) distanceMeters += haversineMeters(previous, point);
    maxSpeed = Math.max(maxSpeed, point.speed);
    speedSum += point.speed;
    minLat = Math.min(minLat, point.lat);
    maxLat = Math.max(maxLat, point.lat);
    minLon = Math.min(minLon, point.lon);
    maxLon = Math.max(maxLon, point.lon);
  });
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const track = encodeTrack(points);
  const rawSha256 = createHash('sha256').update(`${options.deviceId}|${options.time}`).digest('hex');
  return {
    _id: new Types.ObjectId(),
    deviceId: options.deviceId,
    time: new Date(options.time),
    dataLength: points.length,
    dataVolume: options.dataVolume,
    stats: { distanceMeters, maxSpeed, avgSpeed: speedSum / points.length, durationMs: last.time - first.time, droppedSamples: 0 },
    bbox: { minLat, maxLat, minLon, maxLon },
    start: { time: new Date(first.time), lat: first.lat, lon: first.lon, speed: first.speed },
    end: { time: new Date(last.time), lat: last.lat, lon: last.lon, speed: last.speed },
    ingestedAt: options.ingestedAt,
    track,
    rawSha256,
    rawPayloadId: options.rawPayloadId,
    idempotencyKey: `${options.deviceId}|${options.time}|${rawSha256}`,
    rollupState: 'applied',
  };
}

/** Per-device rollup accumulated from signal documents (the `devices` collection's shape). */
export interface DeviceRollup {
  _id: string;
  firstSeen: Date;
  lastSeen: Date;
  lastPosition?: { time: Date; lat: number; lon: number; speed: number };
  signalCount: number;
  totalDistanceMeters: number;
  maxSpeed: number;
  speedSum: number;
  sampleCount: number;
  dataVolume: number;
}

/** Hour-bucket rollup (the `hour_buckets` collection's shape). */
export interface HourBucketRollup {
  _id: string;
  deviceId: string;
  hourStart: Date;
  count: number;
  dataVolume: number;
  distanceMeters: number;
  maxSpeed: number;
  speedSum: number;
  sampleCount: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** Rollups equal to a recomputation from the given signals: devices, their hour buckets and the fleet-wide ('*') buckets. */
export class RollupAccumulator {
  readonly devices = new Map<string, DeviceRollup>();
  readonly buckets = new Map<string, HourBucketRollup>();

  add(signal: SignalDocument): void {
    const speedSum = signal.stats.avgSpeed * signal.dataLength;
    const device = this.devices.get(signal.deviceId);
    if (!device) {
      this.devices.set(signal.deviceId, {
        _id: signal.deviceId,
        firstSeen: signal.ingestedAt,
        lastSeen: signal.ingestedAt,
        lastPosition: signal.end,
        signalCount: 1,
        totalDistanceMeters: signal.stats.distanceMeters,
        maxSpeed: signal.stats.maxSpeed,
        speedSum,
        sampleCount: signal.dataLength,
        dataVolume: signal.dataVolume,
      });
    } else {
      if (signal.ingestedAt < device.firstSeen) device.firstSeen = signal.ingestedAt;
      if (signal.ingestedAt > device.lastSeen) device.lastSeen = signal.ingestedAt;
      if (!device.lastPosition || signal.end.time > device.lastPosition.time) device.lastPosition = signal.end;
      device.signalCount += 1;
      device.totalDistanceMeters += signal.stats.distanceMeters;
      device.maxSpeed = Math.max(device.maxSpeed, signal.stats.maxSpeed);
      device.speedSum += speedSum;
      device.sampleCount += signal.dataLength;
      device.dataVolume += signal.dataVolume;
    }
    for (const deviceId of [signal.deviceId, FLEET_DEVICE_ID]) {
      const id = hourBucketIdFor(deviceId, signal.time);
      const bucket = this.buckets.get(id);
      if (!bucket) {
        this.buckets.set(id, {
          _id: id,
          deviceId,
          hourStart: hourStartOf(signal.time),
          count: 1,
          dataVolume: signal.dataVolume,
          distanceMeters: signal.stats.distanceMeters,
          maxSpeed: signal.stats.maxSpeed,
          speedSum,
          sampleCount: signal.dataLength,
          firstSeen: signal.ingestedAt,
          lastSeen: signal.ingestedAt,
        });
      } else {
        bucket.count += 1;
        bucket.dataVolume += signal.dataVolume;
        bucket.distanceMeters += signal.stats.distanceMeters;
        bucket.maxSpeed = Math.max(bucket.maxSpeed, signal.stats.maxSpeed);
        bucket.speedSum += speedSum;
        bucket.sampleCount += signal.dataLength;
        if (signal.ingestedAt < bucket.firstSeen) bucket.firstSeen = signal.ingestedAt;
        if (signal.ingestedAt > bucket.lastSeen) bucket.lastSeen = signal.ingestedAt;
      }
    }
  }
}
