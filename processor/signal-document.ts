import { Types } from 'mongoose';
import { decodeTrack, utcDayOf, type ProcessedSignalEvent, type RollupState } from '../schema';
import { trackIdFor } from './idempotency-key';
import type { RollupContribution } from './rollup-recompute';
import type { DerivedSignal } from './signal-derivation';

interface StoredPosition {
  time: Date;
  lat: number;
  lon: number;
  speed: number;
}

/**
 * A signal as the processor writes it to `signals` (the shape of schema's `Signal`, plus
 * `stats.sampleCount`, the kept-sample count the rollups average over).
 */
export interface SignalDocument {
  _id: Types.ObjectId;
  deviceId: string;
  time: Date;
  /** UTC day of `time` (`YYYY-MM-DD`): the equality key of time-bounded reads. */
  day: string;
  dataLength: number;
  dataVolume: number;
  /** The derived figures, plus the kept-sample count (`DerivedSignal.keptSamples`). */
  stats: DerivedSignal['stats'] & { sampleCount: number };
  bbox: DerivedSignal['bbox'];
  start: StoredPosition;
  end: StoredPosition;
  ingestedAt: Date;
  /** `_id` of the track in `signal_tracks` ({@link SignalTrackDocument}). */
  trackId: Types.ObjectId;
  rawSha256: string;
  rawPayloadId: Types.ObjectId;
  idempotencyKey: string;
  rollupState: RollupState;
  correlationId?: string;
}

/** Fields of a stored signal that rollups need (everything but the track). */
export const ROLLUP_PROJECTION = {
  deviceId: 1,
  time: 1,
  ingestedAt: 1,
  dataVolume: 1,
  'stats.distanceMeters': 1,
  'stats.maxSpeed': 1,
  'stats.speedSum': 1,
  'stats.sampleCount': 1,
  end: 1,
} as const;

/** The document of a freshly derived signal, `pending` until its rollup increments landed. */
export function signalDocumentFor(
  derived: DerivedSignal,
  meta: { id?: Types.ObjectId; rawPayloadId: Types.ObjectId; ingestedAt: number; correlationId?: string },
): SignalDocument {
  const position = (p: DerivedSignal['start']): StoredPosition => ({
    time: new Date(p.time),
    lat: p.lat,
    lon: p.lon,
    speed: p.speed,
  });
  return {
    _id: meta.id ?? new Types.ObjectId(),
    deviceId: derived.deviceId,
    time: new Date(derived.time),
    day: utcDayOf(derived.time),
    dataLength: derived.dataLength,
    dataVolume: derived.dataVolume,
    stats: { ...derived.stats, sampleCount: derived.keptSamples },
    bbox: derived.bbox,
    start: position(derived.start),
    end: position(derived.end),
    ingestedAt: new Date(meta.ingestedAt),
    trackId: trackIdFor(derived.idempotencyKey),
    rawSha256: derived.rawSha256,
    rawPayloadId: meta.rawPayloadId,
    idempotencyKey: derived.idempotencyKey,
    rollupState: 'pending',
    ...(meta.correlationId === undefined ? {} : { correlationId: meta.correlationId }),
  };
}

/** A signal's packed track as stored in `signal_tracks`, apart from the signal. */
export interface SignalTrackDocument {
  _id: Types.ObjectId;
  deviceId: string;
  track: Buffer;
}

/** The track document of a freshly derived signal, under the `trackId` its signal document holds. */
export function signalTrackDocumentFor(
  derived: DerivedSignal,
  signal: Pick<SignalDocument, 'trackId'>,
): SignalTrackDocument {
  return { _id: signal.trackId, deviceId: derived.deviceId, track: derived.track };
}

/** A stored signal (at least {@link ROLLUP_PROJECTION}) as a rollup contribution. */
export function contributionOf(
  doc: Pick<SignalDocument, 'deviceId' | 'time' | 'ingestedAt' | 'dataVolume' | 'end'> & {
    stats: Pick<SignalDocument['stats'], 'distanceMeters' | 'maxSpeed' | 'speedSum'> & { sampleCount?: number };
    track?: Buffer | { buffer: Uint8Array };
  },
): RollupContribution {
  return {
    deviceId: doc.deviceId,
    time: doc.time.getTime(),
    ingestedAt: doc.ingestedAt.getTime(),
    dataVolume: doc.dataVolume,
    distanceMeters: doc.stats.distanceMeters,
    maxSpeed: doc.stats.maxSpeed,
    speedSum: doc.stats.speedSum,
    sampleCount: doc.stats.sampleCount ?? trackLength(doc.track),
    end: { time: doc.end.time.getTime(), lat: doc.end.lat, lon: doc.end.lon, speed: doc.end.speed },
  };
}

function trackLength(track: Buffer | { buffer: Uint8Array } | undefined): number {
  if (track === undefined) throw new Error('a signal without stats.sampleCount needs its track to be counted');
  return decodeTrack(Buffer.isBuffer(track) ? track : track.buffer).length;
}

/** The Redis event announcing a stored signal. */
export function processedEventOf(doc: SignalDocument, correlationId: string): ProcessedSignalEvent {
  const position = (p: StoredPosition) => ({ time: p.time.getTime(), lat: p.lat, lon: p.lon, speed: p.speed });
  return {
    signalId: doc._id.toHexString(),
    deviceId: doc.deviceId,
    time: doc.time.getTime(),
    ingestedAt: doc.ingestedAt.getTime(),
    dataLength: doc.dataLength,
    dataVolume: doc.dataVolume,
    stats: {
      distanceMeters: doc.stats.distanceMeters,
      maxSpeed: doc.stats.maxSpeed,
      avgSpeed: doc.stats.avgSpeed,
      durationMs: doc.stats.durationMs,
      droppedSamples: doc.stats.droppedSamples,
    },
    bbox: { ...doc.bbox },
    start: position(doc.start),
    end: position(doc.end),
    // A duplicate of a signal stored before `signal_tracks` existed has none.
    ...(doc.trackId ? { trackId: doc.trackId.toHexString() } : {}),
    correlationId,
  };
}
