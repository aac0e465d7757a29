import { getModelForClass, modelOptions, prop } from '@typegoose/typegoose';
import { Types } from 'mongoose';

/**
 * The packed kept samples of one signal (`encodeTrack`, schema/track-codec.ts), apart from the
 * signal: FerretDB v1 reads whole documents from PostgreSQL, projections included, so a track in
 * the signal made every list of signals move every listed track (~18 KB for the real sample).
 * Written only by the processor; `_id` derives from the signal's idempotency key, so a redelivery
 * writes the same document again, and the signal names it in `trackId`.
 */
@modelOptions({ schemaOptions: { collection: 'signal_tracks', versionKey: false } })
export class SignalTrack {
  @prop({ required: true, type: () => Types.ObjectId })
  public _id!: Types.ObjectId;

  /** Device of the signal (kept for operators; reads go by `_id`). */
  @prop({ required: true, type: () => String })
  public deviceId!: string;

  @prop({ required: true, type: () => Buffer })
  public track!: Buffer;
}

/** Collection of {@link SignalTrack}. */
export const SIGNAL_TRACKS_COLLECTION = 'signal_tracks';

/** The typegoose model of {@link SignalTrack}. */
export const SignalTrackModel = getModelForClass(SignalTrack);
