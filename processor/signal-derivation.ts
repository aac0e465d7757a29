import { bodySha256Hex, encodeTrack, type TrackPoint, type ValidXRayMessage } from '../schema';
import { haversineMeters } from './haversine';
import { idempotencyKeyFor } from './idempotency-key';
import { filterJumps } from './jump-filter';
import { unwrapSampleTimes } from './sample-timeline';
import { trackBBox, type TrackBBox } from './track-bbox';

/** Everything the processor stores about one message, derived from it alone. */
export interface DerivedSignal {
  deviceId: string;
  /** Message time, epoch ms. */
  time: number;
  /** Samples in `data`, kept or not. */
  dataLength: number;
  /** Bytes of the message as received. */
  dataVolume: number;
  stats: {
    distanceMeters: number;
    maxSpeed: number;
    avgSpeed: number;
    durationMs: number;
    droppedSamples: number;
    speedSum: number;
  };
  /** Number of kept samples: the denominator of `avgSpeed` and of the rollups' averages. */
  keptSamples: number;
  /** Of the kept samples; crosses the antimeridian (`minLon > maxLon`) when that is the shorter way round. */
  bbox: TrackBBox;
  start: TrackPoint;
  end: TrackPoint;
  /** Kept samples, packed by `encodeTrack`. */
  track: Buffer;
  rawSha256: string;
  idempotencyKey: string;
}

/**
 * Derives a signal from a validated message and the bytes it arrived as.
 *
 * Speeds (`maxSpeed`, `avgSpeed`, `speedSum`) cover the KEPT samples, the same set the distance,
 * bbox and stored track cover: a sample dropped as a GPS jump is a bad fix, and its reported
 * speed is no more trustworthy than its position. This also lets rollups be recomputed from the
 * stored track alone. (The real sample has no jumps, so its figures are the same either way.)
 * `rawSha256` is `bodySha256Hex(raw)`, passed by a caller that already hashed the bytes.
 */
export function deriveSignal(
  message: ValidXRayMessage,
  raw: Buffer,
  maxSpeedKmh: number,
  rawSha256: string = bodySha256Hex(raw),
): DerivedSignal {
  const { deviceId, payload } = message;
  const { kept, droppedSamples } = filterJumps(unwrapSampleTimes(payload.time, payload.data), maxSpeedKmh);
  const first = kept[0];
  const last = kept[kept.length - 1];
  if (first === undefined || last === undefined) throw new Error('a validated message has at least one sample');

  let distanceMeters = 0;
  let speedSum = 0;
  let maxSpeed = 0;
  kept.forEach((sample, index) => {
    const previous = index > 0 ? kept[index - 1] : undefined;
    if (previous !== undefined) distanceMeters += haversineMeters(previous, sample);
    speedSum += sample.speed;
    maxSpeed = Math.max(maxSpeed, sample.speed);
  });

  return {
    deviceId,
    time: payload.time,
    dataLength: payload.data.length,
    dataVolume: raw.byteLength,
    stats: {
      distanceMeters,
      maxSpeed,
      avgSpeed: speedSum / kept.length,
      durationMs: last.time - first.time,
      droppedSamples,
      speedSum,
    },
    keptSamples: kept.length,
    bbox: trackBBox(kept),
    start: { ...first },
    end: { ...last },
    track: encodeTrack(kept),
    rawSha256,
    idempotencyKey: idempotencyKeyFor(deviceId, payload.time, payload.data),
  };
}
