/**
 * The x-ray message contract: what a device POSTs to ingest.
 *
 * Wire form: `{"<deviceId>": {"data": [[offsetMs, [lat, lon, speed]], ...], "time": epochMs}}`,
 * exactly one key per message.
 */

/** One GPS sample: milliseconds within the current minute, then `[lat, lon, speed]`. */
export type XRaySample = [offsetMs: number, position: [lat: number, lon: number, speed: number]];

/** The body of one device's x-ray message. */
export interface XRayPayload {
  /** Samples in the order the device recorded them. Offsets wrap back at each new minute. */
  data: XRaySample[];
  /** Epoch milliseconds of the message (the start of the first minute of samples). */
  time: number;
}

/** A whole x-ray message keyed by its device id. */
export type XRayMessage = Record<string, XRayPayload>;

/** A validated message: the one device id and its payload. */
export interface ValidXRayMessage {
  deviceId: string;
  payload: XRayPayload;
}

/** Pattern every device id matches (also safe as a RabbitMQ routing-key word and a Redis channel part). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Most samples accepted in one message. */
export const MAX_SAMPLES_PER_MESSAGE = 10_000;

/**
 * Offsets are milliseconds within the current minute: an integer with 0 <= offsetMs < this.
 * The bound is what keeps a message's unwrapped time line (and so a signal's duration) within
 * MAX_SAMPLES_PER_MESSAGE minutes, i.e. under GraphQL's Int and far from corrupt dates.
 */
export const OFFSET_LIMIT_MS = 60_000;

/**
 * Highest speed accepted, in the device's own unit: above what any vehicle reaches in m/s, km/h,
 * mph or knots, so only a corrupt reading is refused. Unbounded, two readings near the largest
 * double summed to Infinity in the rollups, which the database refuses to store.
 */
export const MAX_SPEED = 10_000;

/** Earliest accepted message time: 2000-01-01T00:00:00Z. */
export const EARLIEST_MESSAGE_TIME_MS = Date.UTC(2000, 0, 1);

/**
 * How far past its acceptance a message's last sample may lie: 10 min, twice ingest's default
 * signature window. Later readings come from a wrong clock, and as the device's newest position
 * they would hold its place on every map until that time came.
 */
export const MAX_FUTURE_SKEW_MS = 10 * 60 * 1000;
