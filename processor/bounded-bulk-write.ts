import type { mongo } from 'mongoose';

/**
 * Statements per bulk write. FerretDB v1 deadlocks on one update command with as many statements
 * as its PostgreSQL pool has connections; 32 stays far below any sane pool.
 */
export const MAX_STATEMENTS_PER_BULK = 32;

/** Runs `statements` unordered, in bulks of at most {@link MAX_STATEMENTS_PER_BULK}, one bulk after another. */
export async function boundedBulkWrite<TSchema extends mongo.Document>(
  collection: mongo.Collection<TSchema>,
  statements: ReadonlyArray<mongo.AnyBulkWriteOperation<TSchema>>,
): Promise<void> {
  for (let i = 0; i < statements.length; i += MAX_STATEMENTS_PER_BULK) {
    await collection.bulkWrite(statements.slice(i, i + MAX_STATEMENTS_PER_BULK), { ordered: false });
  }
}
