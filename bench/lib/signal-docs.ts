import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import { unwrapSampleTimes } from '../../processor/sample-timeline';
import { deriveSignal, type DerivedSignal } from '../../processor/signal-derivation';
import {
  signalDocumentFor as processorSignalDocumentFor,
  signalTrackDocumentFor,
  type SignalDocument,
  type SignalTrackDocument,
} from '../../processor/signal-document';
import { encodeTrack, type TrackPoint, type XRayMessage, type XRaySample } from '../../schema';

/** The sample's samples as relative points: time from the message time, offsets unwrapped as the processor does. */
export function relativeTrackOf(message: XRayMessage): TrackPoint[] {
  const payload = Object.values(message)[0];
  return payload ? unwrapSampleTimes(0, payload.data) : [];
}

/** What the processor derives from a relative track at message time 0, and the points it kept. */
interface Derivation {
  derived: DerivedSignal;
  kept: TrackPoint[];
}

/**
 * Derivations by track and latitude shift. Deriving costs about four times what building a document
 * from it does, and the raw DB limit times document building along with the writes: deriving once
 * per track and shift keeps that measurement about the database.
 */
const derivations = new WeakMap<ReadonlyArray<TrackPoint>, Map<number, Derivation>>();

function derivationOf(relative: ReadonlyArray<TrackPoint>, latShift: number): Derivation {
  const byShift = derivations.get(relative) ?? new Map<number, Derivation>();
  derivations.set(relative, byShift);
  const known = byShift.get(latShift);
  if (known) return known;
  const kept = relative.map((point) => ({ ...point, lat: point.lat + latShift }));
  if (kept.some((point, index) => index > 0 && point.time < (kept[index - 1] as TrackPoint).time)) {
    // As offsets, a decreasing time would read as a new minute and move every later point.
    throw new Error('a relative track must be in time order');
  }
  const data = kept.map((point): XRaySample => [point.time, [point.lat, point.lon, point.speed]]);
  // No speed limit: the bench stores every sample, as a device without GPS jumps would have it stored.
  // The bytes are not the sample's; dataVolume, rawSha256 and idempotencyKey are set per document.
  const derived = deriveSignal({ deviceId: '', payload: { time: 0, data } }, Buffer.alloc(0), Number.POSITIVE_INFINITY);
  const derivation = { derived, kept };
  byShift.set(latShift, derivation);
  return derivation;
}

/** A signal document and its track document, as the processor stores them. */
export interface StoredSignal {
  signal: SignalDocument;
  track: SignalTrackDocument;
}

/**
 * The signal and track documents the processor would store for `relative` points shifted to `time`
 * (and by `latShift` degrees, so tracks differ), built with the processor's derivation and document code.
 */
export function signalDocumentsFor(options: {
  deviceId: string;
  time: number;
  relative: ReadonlyArray<TrackPoint>;
  dataVolume: number;
  rawPayloadId: Types.ObjectId;
  ingestedAt: Date;
  latShift?: number;
}): StoredSignal {
  const { derived, kept } = derivationOf(options.relative, options.latShift ?? 0);
  const at = (point: TrackPoint): TrackPoint => ({ ...point, time: options.time + point.time });
  // Bench documents share one stored payload, so their hash and key name the device and time instead
  // of the bytes: unique per document, as the unique index on idempotencyKey requires.
  const rawSha256 = createHash('sha256').update(`${options.deviceId}|${options.time}`).digest('hex');
  const shifted = {
    ...derived,
    deviceId: options.deviceId,
    time: options.time,
    dataVolume: options.dataVolume,
    start: at(derived.start),
    end: at(derived.end),
    track: encodeTrack(kept.map(at)),
    rawSha256,
    idempotencyKey: `${options.deviceId}|${options.time}|${rawSha256}`,
  };
  const document = processorSignalDocumentFor(shifted, {
    rawPayloadId: options.rawPayloadId,
    ingestedAt: options.ingestedAt.getTime(),
  });
  // Never pending: seed recomputes the rollups from its documents, and nothing repairs the raw DB limit's.
  return { signal: { ...document, rollupState: 'applied' }, track: signalTrackDocumentFor(shifted, document) };
}
