import type { Types } from 'mongoose';
import { packedTrackBytes } from '../../schema';
import type { GatewayModels } from './gateway-models';

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
