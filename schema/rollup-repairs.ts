/**
 * Where the processor marks devices whose rollups are being written (a batch of signals, a rewrite)
 * or must be recomputed (a writer that failed or died): `{ _id, deviceIds, since }`, deleted once
 * they are exact again. While a device is named there its rollups may lag its signals, so a reader
 * that narrows a read of signals by a rollup (`track` by the device's longest signal span) must read
 * without that narrowing.
 */
export const ROLLUP_REPAIRS_COLLECTION = 'rollup_repairs';
