import type { Types } from 'mongoose';
import { decodeTrack, type TrackPoint } from '../../schema';
import type { GatewayModels } from '../db/gateway-models';
import { mapWithConcurrency } from '../db/map-with-concurrency';
import { packedTrackOf, type PackedTrackSource } from '../db/packed-track';
import { BadUserInputError } from '../errors/gateway-errors';
import { distinctReadings } from './distinct-readings';

/** Signals read per query (their tracks are read by id after each batch). */
const BATCH_SIZE = 100;

/** Most raw samples one `track` request may gather before downsampling. */
export const MAX_TRACK_SAMPLES = 1_000_000;

interface TrackDoc extends PackedTrackSource {
  _id: Types.ObjectId;
  time: Date;
}

/** Track reads in flight at once (each by `_id` equality). */
const TRACK_READ_CONCURRENCY = 8;

/** The packed tracks of a batch of signals, in the batch's order (empty for a missing one). */
async function tracksOf(models: GatewayModels, batch: ReadonlyArray<TrackDoc>): Promise<Uint8Array[]> {
  return mapWithConcurrency(
    batch,
    TRACK_READ_CONCURRENCY,
    async (doc) => (await packedTrackOf(models, doc)) ?? new Uint8Array(0),
  );
}

/**
 * Every kept sample of `deviceId` with a time in [from, to], in time order, each reading once. Reads the device's
 * signals that overlap the range (message time before `to`, last sample at or after `from`) in
 * keyset batches with `deviceId` equality at the top level.
 */
export async function readTrackPoints(
  models: GatewayModels,
  deviceId: string,
  fromMs: number,
  toMs: number,
): Promise<TrackPoint[]> {
  const points: TrackPoint[] = [];
  let after: { time: Date; id: Types.ObjectId } | undefined;
  for (;;) {
    const query: Record<string, unknown> = {
      deviceId,
      time: { $lte: new Date(toMs) },
      'end.time': { $gte: new Date(fromMs) },
    };
    if (after) query.$or = [{ time: { $gt: after.time } }, { time: after.time, _id: { $gt: after.id } }];
    const batch = await models.signals
      .find(query, { time: 1, trackId: 1, track: 1 })
      .sort({ time: 1, _id: 1 })
      .limit(BATCH_SIZE)
      .lean<TrackDoc[]>();
    for (const track of await tracksOf(models, batch)) {
      for (const point of decodeTrack(track)) {
        if (point.time >= fromMs && point.time <= toMs) points.push(point);
      }
      if (points.length > MAX_TRACK_SAMPLES)
        throw new BadUserInputError(`the range holds more than ${MAX_TRACK_SAMPLES} samples; narrow \`from\`/\`to\``, {
          argument: 'to',
        });
    }
    const last = batch[batch.length - 1];
    if (batch.length < BATCH_SIZE || !last) break;
    after = { time: last.time, id: last._id };
  }
  // Signals may overlap in time; the stable sort keeps each signal's own order on equal times.
  return distinctReadings(points.sort((a, b) => a.time - b.time));
}
