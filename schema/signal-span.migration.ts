/**
 * Devices keep `longestSignalSpanMs` (schema/models/device.model.ts), the longest time from a
 * stored signal's message time to its last kept sample. It came after signals were stored without
 * it: the processor computes it for existing devices at startup and records this id in
 * MIGRATIONS_COLLECTION; until it has, readers must not bound a range's earliest signal by it.
 */
export const SIGNAL_SPAN_MIGRATION = 'devices-longest-signal-span';
