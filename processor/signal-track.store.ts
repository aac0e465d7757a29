import type { mongo, Types } from 'mongoose';
import { boundedBulkWrite } from './bounded-bulk-write';
import { isDuplicateKeyError } from './processing-failure';
import type { SignalTrackDocument } from './signal-document';

/**
 * The signals' tracks in `signal_tracks`. Written before the signals that name them (like the raw
 * payloads), so a stored signal always has its track; ids derive from the idempotency key, so a
 * redelivery's insert meets the same document and its duplicate-key refusal is success.
 */
export class SignalTrackStore {
  constructor(private readonly collection: mongo.Collection<SignalTrackDocument>) {}

  async putMany(tracks: ReadonlyArray<SignalTrackDocument>): Promise<void> {
    if (tracks.length === 0) return;
    try {
      await this.collection.insertMany(tracks as SignalTrackDocument[], { ordered: false });
    } catch (error) {
      // Only duplicates refused (the same tracks, written by an earlier delivery): all are stored.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** Deletes by `_id` equality (FerretDB v1 scans for `$in`); missing ones are fine. */
  async deleteMany(ids: ReadonlyArray<Types.ObjectId>): Promise<void> {
    await boundedBulkWrite(
      this.collection,
      ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
    );
  }
}
