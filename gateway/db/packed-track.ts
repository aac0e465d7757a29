import type { Types } from 'mongoose';
import type { GatewayModels } from './gateway-models';

/** The bytes of a packed track as a lean read returns it (a Buffer, or a BSON Binary holding them); null when absent. */
export function packedTrackBytes(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  const binary = value as { buffer?: Uint8Array };
  // A view of the bytes the driver read, not a copy: the caller decodes them at once.
  return binary.buffer ? Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, binary.buffer.byteLength) : null;
}

/** A signal's packed track from `signal_tracks`, by `_id` equality (pushed down to PostgreSQL; `$in` is not). */
export async function readPackedTrack(models: GatewayModels, trackId: Types.ObjectId): Promise<Buffer | null> {
  const stored = await models.signalTracks.findOne({ _id: trackId }, { track: 1 }).lean<{ track?: unknown }>();
  return packedTrackBytes(stored?.track);
}
