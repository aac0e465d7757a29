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

/** Whether `error` is a duplicate-key error (single write or within a bulk write). */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, writeErrors } = error as { code?: unknown; writeErrors?: unknown };
  if (code === DUPLICATE_KEY_ERROR_CODE) return true;
  const list = Array.isArray(writeErrors)
    ? writeErrors
    : writeErrors === undefined || writeErrors === null
      ? []
      : [writeErrors];
  return (
    list.length > 0 &&
    list.every(
      (e: { code?: unknown; err?: { code?: unknown } }) => (e.code ?? e.err?.code) === DUPLICATE_KEY_ERROR_CODE,
    )
  );
}

/** A one-line description of any thrown value, for logs and headers. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
