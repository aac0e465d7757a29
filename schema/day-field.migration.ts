/**
 * The `day` fields (`YYYY-MM-DD`, UTC) of signals and hour buckets came after data was stored
 * without them. The processor gives old documents theirs at startup and records each collection
 * as done in {@link MIGRATIONS_COLLECTION}; until it has, readers must not narrow by `day`, or they
 * would miss those documents.
 */

/** Where one-off data migrations record that they ran (`_id` = migration id). */
export const MIGRATIONS_COLLECTION = 'schema_migrations';

/** Migration ids of the `day` field, by collection. */
export const DAY_FIELD_MIGRATIONS = {
  signals: 'signals-day',
  hourBuckets: 'hour-buckets-day',
} as const;

/** A stored migration record. */
export interface MigrationRecord {
  _id: string;
  ranAt: Date;
}
