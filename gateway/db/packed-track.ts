import type { Types } from 'mongoose';
import type { GatewayModels } from './gateway-models';

/** The bytes of a packed track as a lean read returns it (a Buffer, or a BSON Binary holding them); null when absent. */
function packedTrackBytes(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  const binary = value as { buffer?: Uint8Array };
  // A view of the bytes the driver read, not a copy: it keeps that reply alive while it is held
  // (decoded at once, or cached by one operation's loader).
  return binary.buffer ? Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, binary.buffer.byteLength) : null;
}

/** A signal's packed track from `signal_tracks`, by `_id` equality (pushed down to PostgreSQL; `$in` is not). */
async function readPackedTrack(models: GatewayModels, trackId: Types.ObjectId): Promise<Buffer | null> {
  const stored = await models.signalTracks.findOne({ _id: trackId }, { track: 1 }).lean<{ track?: unknown }>();
  return packedTrackBytes(stored?.track);
}

/** Where a signal's track is: inside it (stored before `signal_tracks` existed) or named by `trackId`. */
export interface PackedTrackSource {
  track?: unknown;
  trackId?: Types.ObjectId;
}

/** A signal's packed track, from the signal itself or else from `signal_tracks`; null when it has none. */
export async function packedTrackOf(models: GatewayModels, signal: PackedTrackSource): Promise<Buffer | null> {
  return packedTrackBytes(signal.track) ?? (signal.trackId ? readPackedTrack(models, signal.trackId) : null);
}
