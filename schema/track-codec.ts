/**
 * The compact kept track of a signal: one binary field instead of an array of subdocuments,
 * because FerretDB v1 stores a 563-sample array ~9x slower than one binary value.
 *
 * Layout: little-endian float64 quadruples `[timeMs, lat, lon, speed]`, one per kept sample.
 */
export interface TrackPoint {
  /** Absolute sample time, epoch ms. */
  time: number;
  lat: number;
  lon: number;
  speed: number;
}

const FIELDS = 4;
const BYTES_PER_POINT = FIELDS * 8;

/** The bytes of a packed track as a lean read returns it (a Buffer, or a BSON Binary holding them); null when absent. */
export function packedTrackBytes(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  const binary = value as { buffer?: Uint8Array; position?: number };
  if (!binary.buffer) return null;
  // A view of the bytes the driver read, not a copy: it keeps that reply alive while it is held
  // (decoded at once, or cached by one operation's loader). A Binary's buffer may be larger than
  // what was written into it: `position` is where its bytes end.
  const length = Math.min(binary.position ?? binary.buffer.byteLength, binary.buffer.byteLength);
  return Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, length);
}

/** Packs points into the stored binary form. */
export function encodeTrack(points: ReadonlyArray<TrackPoint>): Buffer {
  const buffer = Buffer.alloc(points.length * BYTES_PER_POINT);
  points.forEach((point, index) => {
    const offset = index * BYTES_PER_POINT;
    buffer.writeDoubleLE(point.time, offset);
    buffer.writeDoubleLE(point.lat, offset + 8);
    buffer.writeDoubleLE(point.lon, offset + 16);
    buffer.writeDoubleLE(point.speed, offset + 24);
  });
  return buffer;
}

/** Unpacks the stored binary form; throws on a length that is not a whole number of points. */
export function decodeTrack(buffer: Uint8Array): TrackPoint[] {
  if (buffer.byteLength % BYTES_PER_POINT !== 0) {
    throw new Error(`track of ${buffer.byteLength} bytes is not a whole number of points`);
  }
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const points: TrackPoint[] = [];
  for (let offset = 0; offset < view.byteLength; offset += BYTES_PER_POINT) {
    points.push({
      time: view.readDoubleLE(offset),
      lat: view.readDoubleLE(offset + 8),
      lon: view.readDoubleLE(offset + 16),
      speed: view.readDoubleLE(offset + 24),
    });
  }
  return points;
}
