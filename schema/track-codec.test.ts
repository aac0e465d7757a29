import { mongo } from 'mongoose';
import { decodeTrack, encodeTrack, packedTrackBytes } from './track-codec';

describe('track codec', () => {
  it('round-trips points exactly as float64', () => {
    const points = [
      { time: 1735683480762, lat: 51.339764, lon: 12.339223833333334, speed: 1.2038000000000002 },
      { time: 1735683481766, lat: -33.9, lon: -151.2, speed: 0 },
    ];
    const encoded = encodeTrack(points);
    expect(encoded.length).toBe(64);
    expect(decodeTrack(encoded)).toEqual(points);
  });

  it('decodes a view into a larger buffer at an offset', () => {
    const encoded = encodeTrack([{ time: 1, lat: 2, lon: 3, speed: 4 }]);
    const larger = Buffer.concat([Buffer.alloc(8), encoded]);
    expect(decodeTrack(larger.subarray(8))).toEqual([{ time: 1, lat: 2, lon: 3, speed: 4 }]);
  });

  it('reads a BSON Binary up to what was written into it, not its spare capacity', () => {
    const encoded = encodeTrack([
      { time: 1, lat: 2, lon: 3, speed: 4 },
      { time: 5, lat: 6, lon: 7, speed: 8 },
    ]);
    const grown = new mongo.Binary();
    grown.write(encoded, 0);
    expect(grown.buffer.byteLength).toBeGreaterThan(encoded.length);
    expect(decodeTrack(packedTrackBytes(grown) as Buffer)).toEqual(decodeTrack(encoded));
    expect(packedTrackBytes(new mongo.Binary(encoded))?.equals(encoded)).toBe(true);
  });

  it('refuses a length that is not a whole number of points', () => {
    expect(() => decodeTrack(Buffer.alloc(33))).toThrow(/whole number/);
  });
});
