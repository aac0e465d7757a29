import type { Types } from 'mongoose';
import {
  DAY_FIELD_MIGRATIONS,
  decodeTrack,
  ROLLUP_REPAIRS_COLLECTION,
  SIGNAL_SPAN_MIGRATION,
  type TrackPoint,
} from '../../schema';
import type { GatewayModels } from '../db/gateway-models';
import { mapWithConcurrency } from '../db/map-with-concurrency';
import { packedTrackOf, type PackedTrackSource } from '../db/packed-track';
import { BadUserInputError } from '../errors/gateway-errors';
import type { GatewayServices } from '../gateway-services';
import { distinctReadings } from './distinct-readings';
import { trackDaysFor, type TrackDayLookups } from './track-days';

/** Signals read per query (their tracks are read by id after each batch). */
const BATCH_SIZE = 100;

/** Most raw samples one `track` request may gather before downsampling. */
export const MAX_TRACK_SAMPLES = 1_000_000;

interface TrackDoc extends PackedTrackSource {
  _id: Types.ObjectId;
  time: Date;
}

/** Days read at once, each in keyset batches of its own (with its track reads: at most 16 operations per request). */
const DAY_READ_CONCURRENCY = 2;

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

/** The lookups of `trackDaysFor`, through this gateway's models and migration readiness. */
function trackDayLookupsOf(services: Pick<GatewayServices, 'models' | 'dayFields'>): TrackDayLookups {
  return {
    daysReadable: async () =>
      (await services.dayFields.ready(DAY_FIELD_MIGRATIONS.signals)) &&
      (await services.dayFields.ready(SIGNAL_SPAN_MIGRATION)),
    rollupsLag: async (deviceId) =>
      (await services.models.signals.db
        .collection(ROLLUP_REPAIRS_COLLECTION)
        .countDocuments({ deviceIds: deviceId }, { limit: 1 })) > 0,
    longestSignalSpanMs: async (deviceId) =>
      (
        await services.models.devices
          .findOne({ _id: deviceId }, { longestSignalSpanMs: 1 })
          .lean<{ longestSignalSpanMs?: number }>()
      )?.longestSignalSpanMs,
  };
}

/**
 * Every kept sample of `deviceId` with a time in [from, to], in time order, each reading once. Reads the device's
 * signals that overlap the range (message time before `to`, last sample at or after `from`) in
 * keyset batches with `deviceId` equality at the top level, and `day` equality per day when the
 * device's longest signal bounds how early such a signal can start.
 */
export async function readTrackPoints(
  services: Pick<GatewayServices, 'models' | 'dayFields'>,
  deviceId: string,
  fromMs: number,
  toMs: number,
): Promise<TrackPoint[]> {
  const { models } = services;
  const days: ReadonlyArray<string | undefined> = (await trackDaysFor(
    trackDayLookupsOf(services),
    deviceId,
    fromMs,
    toMs,
  )) ?? [undefined];
  let gathered = 0;
  const readDay = async (day: string | undefined): Promise<TrackPoint[]> => {
    const points: TrackPoint[] = [];
    let after: { time: Date; id: Types.ObjectId } | undefined;
    for (;;) {
      const query: Record<string, unknown> = {
        deviceId,
        ...(day === undefined ? {} : { day }),
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
          if (point.time >= fromMs && point.time <= toMs) {
            points.push(point);
            gathered += 1;
          }
        }
        if (gathered > MAX_TRACK_SAMPLES)
          throw new BadUserInputError(
            `the range holds more than ${MAX_TRACK_SAMPLES} samples; narrow \`from\`/\`to\``,
            {
              argument: 'to',
            },
          );
      }
      const last = batch[batch.length - 1];
      if (batch.length < BATCH_SIZE || !last) break;
      after = { time: last.time, id: last._id };
    }
    return points;
  };
  // Days in order, each in (time, _id) order: the signals' order, whatever finished first.
  const points = (await mapWithConcurrency(days, DAY_READ_CONCURRENCY, readDay)).flat();
  // Signals may overlap in time; the stable sort keeps each signal's own order on equal times.
  return distinctReadings(points.sort((a, b) => a.time - b.time));
}
