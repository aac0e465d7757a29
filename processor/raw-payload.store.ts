import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { mongo } from 'mongoose';
import { RAW_PAYLOAD_BUCKET } from '../schema';
import { isDuplicateKeyError } from './processing-failure';

const gzipAsync = promisify(gzip);

/**
 * Raw message bytes, gzipped, in the GridFS bucket `raw_payloads`, under ids chosen by the caller
 * (derived from the idempotency key), so writing the same payload twice is harmless.
 */
export class RawPayloadStore {
  private readonly bucket: mongo.GridFSBucket;

  constructor(
    private readonly db: mongo.Db,
    private readonly bucketName: string = RAW_PAYLOAD_BUCKET,
  ) {
    this.bucket = new mongo.GridFSBucket(db, { bucketName });
  }

  /**
   * Stores `raw` gzipped under `id` unless a complete file with that id exists. Chunks left by an
   * upload that died before writing its file document are removed first, since GridFS writes the
   * file document last.
   */
  async put(id: mongo.ObjectId, raw: Buffer, metadata: Record<string, unknown>): Promise<void> {
    const gzipped = await gzipAsync(raw);
    try {
      await this.upload(id, gzipped, metadata);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      if (await this.exists(id)) return;
      await this.chunks().deleteMany({ files_id: id });
      await this.upload(id, gzipped, metadata);
    }
  }

  /** Deletes the file and its chunks; a missing file is not an error. */
  async delete(id: mongo.ObjectId): Promise<void> {
    await this.chunks().deleteMany({ files_id: id });
    await this.files().deleteOne({ _id: id });
  }

  async exists(id: mongo.ObjectId): Promise<boolean> {
    return (await this.files().countDocuments({ _id: id }, { limit: 1 })) > 0;
  }

  private upload(id: mongo.ObjectId, gzipped: Buffer, metadata: Record<string, unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stream = this.bucket.openUploadStreamWithId(id, `${id.toHexString()}.json.gz`, {
        metadata: { ...metadata, contentType: 'application/json', contentEncoding: 'gzip' },
      });
      stream.once('error', reject);
      stream.once('finish', () => resolve());
      stream.end(gzipped);
    });
  }

  private files(): mongo.Collection {
    return this.db.collection(`${this.bucketName}.files`);
  }

  private chunks(): mongo.Collection {
    return this.db.collection(`${this.bucketName}.chunks`);
  }
}
