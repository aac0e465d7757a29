import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Device, Signal } from '../../schema';
import type { GatewayModels } from '../db/gateway-models';
import { mapWithConcurrency } from '../db/map-with-concurrency';
import { packedTrackOf, type PackedTrackSource } from '../db/packed-track';

/**
 * A signal to fetch the track of: by `trackId` when the caller knows it, else the signal is looked
 * up first (one stored before tracks moved to `signal_tracks`, or an event of an older processor),
 * with its device so that lookup carries device equality.
 */
export interface SignalTrackKey {
  signalId: string;
  deviceId: string;
  trackId?: Types.ObjectId;
}

/** Batching loaders of one operation: never shared between requests, so no data outlives its caller's rights. */
export interface GatewayLoaders {
  deviceById: DataLoader<string, Device | null>;
  signalById: DataLoader<string, Signal | null>;
  /** The packed track (schema/track-codec.ts); lists load signals without it. */
  trackBySignal: DataLoader<SignalTrackKey, Buffer | null, string>;
}

/** Projection of signal lists and single lookups: everything but the packed track. */
export const SIGNAL_SUMMARY_PROJECTION = {
  track: 0,
  rawSha256: 0,
  idempotencyKey: 0,
  rollupState: 0,
  correlationId: 0,
  rawPayloadId: 0,
} as const;

const LOOKUP_CONCURRENCY = 8;

/** Fresh loaders; create per HTTP request and per websocket operation. */
export function createGatewayLoaders(models: GatewayModels): GatewayLoaders {
  return {
    // The devices collection is small (one document per device), so one `$in` read serves a page;
    // a single id is read by equality, which FerretDB v1 pushes down to PostgreSQL (`$in` it does not).
    deviceById: new DataLoader<string, Device | null>(async (ids) => {
      const [onlyId] = ids;
      const devices =
        ids.length === 1 && onlyId !== undefined
          ? await models.devices.find({ _id: onlyId }).limit(1).lean<Device[]>()
          : await models.devices
              .find({ _id: { $in: [...ids] } })
              .limit(ids.length)
              .lean<Device[]>();
      const byId = new Map(devices.map((d) => [d._id, d]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    // Top-level `_id` equality per signal: FerretDB v1 pushes equality down, not `$in`.
    signalById: new DataLoader<string, Signal | null>(async (ids) =>
      mapWithConcurrency(ids, LOOKUP_CONCURRENCY, async (id) => {
        if (!Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) return null;
        return (
          (await models.signals.findOne({ _id: new Types.ObjectId(id) }, SIGNAL_SUMMARY_PROJECTION).lean<Signal>()) ??
          null
        );
      }),
    ),
    trackBySignal: new DataLoader<SignalTrackKey, Buffer | null, string>(
      async (keys) => {
        // Signals whose track id is unknown here: one read per device, with `deviceId` equality at
        // the top level, for the track id (or the track itself, in signals stored before
        // `signal_tracks` existed).
        const idsByDevice = new Map<string, Types.ObjectId[]>();
        for (const key of keys) {
          if (key.trackId) continue;
          const ids = idsByDevice.get(key.deviceId) ?? [];
          ids.push(new Types.ObjectId(key.signalId));
          idsByDevice.set(key.deviceId, ids);
        }
        const sources = new Map<string, PackedTrackSource>();
        for (const key of keys) if (key.trackId) sources.set(key.signalId, { trackId: key.trackId });
        await mapWithConcurrency([...idsByDevice], LOOKUP_CONCURRENCY, async ([deviceId, ids]) => {
          const docs = await models.signals
            .find({ deviceId, _id: { $in: ids } }, { trackId: 1, track: 1 })
            .limit(ids.length)
            .lean<Array<{ _id: Types.ObjectId } & PackedTrackSource>>();
          for (const doc of docs) sources.set(doc._id.toHexString(), doc);
        });
        // Then each track not inside its signal by `_id` equality (pushed down; `$in` is not).
        const tracks = new Map<string, Buffer | null>();
        await mapWithConcurrency([...sources], LOOKUP_CONCURRENCY, async ([signalId, source]) => {
          tracks.set(signalId, await packedTrackOf(models, source));
        });
        return keys.map((key) => tracks.get(key.signalId) ?? null);
      },
      { cacheKeyFn: (key) => key.signalId },
    ),
  };
}
