/**
 * A message that can never be processed (bad signature, malformed JSON, schema violation): it goes
 * to the dead-letter queue at once, with {@link reason} in its `x-dead-letter-reason` header.
 * Every other error is treated as transient (a dependency down) and retried with backoff.
 */
export class PoisonMessageError extends Error {
  constructor(public readonly reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

/** MongoDB's duplicate-key error code. FerretDB v1 sends it without `keyPattern`, so only the code counts. */
export const DUPLICATE_KEY_ERROR_CODE = 11000;

/**
 * FerretDB v1 (on PostgreSQL) answers an update or replace that would break a unique index not with
 * 11000 but with code 1 `InternalError`, its message ending in PostgreSQL's `duplicate key value
 * violates unique constraint "…" (SQLSTATE 23505)`; a bulk write carries it at the top with an
 * empty `writeErrors`. Inserts and upserts do get 11000.
 */
const FERRETDB_INTERNAL_ERROR_CODE = 1;
const POSTGRES_UNIQUE_VIOLATION = /\(SQLSTATE 23505\)|duplicate key value violates unique constraint/;

/** Whether one error (the whole error, or an entry of `writeErrors`) reports a duplicate key. */
function isDuplicateKeyEntry(entry: { code?: unknown; errmsg?: unknown; message?: unknown }): boolean {
  if (entry.code === DUPLICATE_KEY_ERROR_CODE) return true;
  if (entry.code !== FERRETDB_INTERNAL_ERROR_CODE) return false;
  const message = typeof entry.errmsg === 'string' ? entry.errmsg : entry.message;
  return typeof message === 'string' && POSTGRES_UNIQUE_VIOLATION.test(message);
}

/** Whether `error` is a duplicate-key error (single write or within a bulk write), as MongoDB or FerretDB sends it. */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { writeErrors } = error as { writeErrors?: unknown };
  if (isDuplicateKeyEntry(error as { code?: unknown; message?: unknown })) return true;
  const list = Array.isArray(writeErrors)
    ? writeErrors
    : writeErrors === undefined || writeErrors === null
      ? []
      : [writeErrors];
  return (
    list.length > 0 &&
    list.every((e: { code?: unknown; errmsg?: unknown; err?: { code?: unknown; errmsg?: unknown } }) =>
      isDuplicateKeyEntry(e.code === undefined && e.err !== undefined ? e.err : e),
    )
  );
}

/** A one-line description of any thrown value, for logs and headers. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
