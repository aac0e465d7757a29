/**
 * A stored signal's bounding box, in the GeoJSON convention (RFC 7946 §5.2): `minLon` is the
 * western edge and `maxLon` the eastern one, so a box crossing the antimeridian has
 * `minLon > maxLon`. `crossesAntimeridian` is written only then: readers cannot compare two fields
 * of a document in a query (no `$expr` on FerretDB v1), so the gateway's range query needs a field
 * it can test with equality; plain boxes stay as they were and older documents (without it) are
 * plain boxes.
 */
export interface TrackBBox {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
  crossesAntimeridian?: true;
}

/** An arc of longitudes eastward from `west` to `east` (both in [-180, 180)), `width` degrees long ([0, 360)). */
export interface LongitudeArc {
  west: number;
  east: number;
  width: number;
}

/** `lon` in [-180, 180): the antimeridian counts once, as -180. In-range values are kept exactly. */
function normalizedLongitude(lon: number): number {
  if (lon >= -180 && lon < 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/**
 * The shortest arc of the circle of longitudes that holds every one of `lons`: the complement of
 * the largest gap between neighbours (the gap across the antimeridian included). A tie prefers the
 * gap across the antimeridian, so a track that never needs to cross keeps its plain min..max. The
 * edges are input values, never sums, so they carry no rounding.
 */
export function smallestLongitudeArc(lons: readonly number[]): LongitudeArc {
  // Nearly every track spans far less than half the circle: then every gap between neighbours is
  // narrower than the one across the antimeridian, so the arc is min..max, found in one pass instead
  // of a sort of every longitude. The 1° margin keeps a span within rounding of 180° (where the sum
  // `first + 360 - last` decides) on the sort's path; `+ 0` gives -0 as 0, as the sort's Set does.
  let min = Infinity;
  let max = -Infinity;
  for (const lon of lons) {
    if (!(lon >= -180 && lon < 180)) {
      min = Number.NaN;
      break;
    }
    if (lon < min) min = lon;
    if (lon > max) max = lon;
  }
  if (lons.length > 0 && max - min < 179) return { west: min + 0, east: max + 0, width: max - min };
  const sorted = [...new Set(lons.map(normalizedLongitude))].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) throw new Error('an arc needs at least one longitude');
  let arc: LongitudeArc = { west: first, east: last, width: last - first };
  let largestGap = first + 360 - last;
  for (let i = 1; i < sorted.length; i += 1) {
    const before = sorted[i - 1] as number;
    const after = sorted[i] as number;
    if (after - before > largestGap) {
      largestGap = after - before;
      arc = { west: after, east: before, width: 360 - largestGap };
    }
  }
  return arc;
}

/** The bounding box of a track's points: latitudes by min/max, longitudes by {@link smallestLongitudeArc}. */
export function trackBBox(points: ReadonlyArray<{ lat: number; lon: number }>): TrackBBox {
  const first = points[0];
  if (first === undefined) throw new Error('a bounding box needs at least one point');
  let minLat = first.lat;
  let maxLat = first.lat;
  for (const point of points) {
    minLat = Math.min(minLat, point.lat);
    maxLat = Math.max(maxLat, point.lat);
  }
  const { west, east, width } = smallestLongitudeArc(points.map((point) => point.lon));
  // A single meridian keeps the longitude as reported (180 stays 180 rather than becoming -180).
  if (width === 0) return { minLat, maxLat, minLon: first.lon, maxLon: first.lon };
  if (west <= east) return { minLat, maxLat, minLon: west, maxLon: east };
  // An arc ending on the antimeridian (normalized to -180) is still a plain box: [170, 180], not [170, -180].
  if (east === -180) return { minLat, maxLat, minLon: west, maxLon: 180 };
  return { minLat, maxLat, minLon: west, maxLon: east, crossesAntimeridian: true };
}
