/** A point on the earth, degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

export interface ScreenPoint {
  x: number;
  y: number;
}

export interface GeoBounds {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/** Web Mercator (as on tile maps) fitted to a drawing area. */
export interface Projection {
  project(point: LatLon): ScreenPoint;
  unproject(point: ScreenPoint): LatLon;
  /** Pixels per world unit (the world is 1×1 in Mercator units). */
  readonly scale: number;
  readonly width: number;
  readonly height: number;
}

/** Smallest span shown, in world units (~100 m at the equator), so one point is not infinitely zoomed. */
const MIN_WORLD_SPAN = 2.5e-6;
const MAX_LATITUDE = 85.05112878;

export function mercatorX(lon: number): number {
  return (lon + 180) / 360;
}

export function mercatorY(lat: number): number {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const radians = (clamped * Math.PI) / 180;
  return (1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2;
}

function lonOfMercatorX(x: number): number {
  return x * 360 - 180;
}

function latOfMercatorY(y: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
}

/** `lon` in [-180, 180); in-range values are kept exactly. */
export function normalizedLongitude(lon: number): number {
  if (lon >= -180 && lon < 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** Whether a box crosses the antimeridian: GeoJSON convention, western edge `minLon` > eastern edge `maxLon`. */
export function crossesAntimeridian(bounds: GeoBounds): boolean {
  return bounds.minLon > bounds.maxLon;
}

/** Degrees of longitude a box spans eastward from `minLon` to `maxLon`, across the antimeridian if it crosses. */
export function longitudeSpan(bounds: GeoBounds): number {
  return crossesAntimeridian(bounds) ? bounds.maxLon - bounds.minLon + 360 : bounds.maxLon - bounds.minLon;
}

/**
 * A box from its southern and northern edges, western edge and eastward width in degrees: the west
 * edge normalized into [-180, 180) and the width kept, so the east edge wraps past 180 (a box from
 * 170 eastward 20° is minLon 170, maxLon -170); 360° or more is every longitude.
 */
export function boundsSpanning(minLat: number, maxLat: number, west: number, width: number): GeoBounds {
  if (width >= 360) return { minLat, maxLat, minLon: -180, maxLon: 180 };
  const minLon = normalizedLongitude(west);
  const east = minLon + width;
  return { minLat, maxLat, minLon, maxLon: east > 180 ? east - 360 : east };
}

/** Most points {@link boundsOutline} returns per edge: boxes wider than that resolves are nearly the world anyway. */
const MAX_OUTLINE_STEPS = 64;

/**
 * Points outlining a box for fitting a view: its corners and points along its span closer together
 * than the longitudes it leaves out, so the shortest arc through them is the box itself, across the
 * antimeridian or not.
 */
export function boundsOutline(bounds: GeoBounds): LatLon[] {
  const span = longitudeSpan(bounds);
  const step = Math.min(90, (360 - span) / 2);
  const steps = Math.max(1, Math.min(MAX_OUTLINE_STEPS, step > 0 ? Math.ceil(span / step) : MAX_OUTLINE_STEPS));
  return Array.from({ length: steps + 1 }, (_, index) => bounds.minLon + (span * index) / steps).flatMap((lon) => [
    { lat: bounds.minLat, lon },
    { lat: bounds.maxLat, lon },
  ]);
}

/**
 * A map's x axis does not wrap, longitude does: this places longitudes on one continuous stretch,
 * each moved by whole turns to within 180° of the middle of the shortest arc holding `lons`, so a
 * track or box across the antimeridian is drawn in one piece instead of across the whole world.
 * Longitudes already within 180° of that middle (everything, for content not crossing) are kept
 * exactly. (The arc as the processor derives a signal's bbox, repeated here as the dashboard
 * shares no code with it.)
 */
export function continuousLongitudes(lons: readonly number[]): (lon: number) => number {
  const sorted = [...new Set(lons.filter(Number.isFinite).map(normalizedLongitude))].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) return (lon) => lon;
  let west = first;
  let largestGap = first + 360 - last;
  for (let i = 1; i < sorted.length; i += 1) {
    const gap = (sorted[i] as number) - (sorted[i - 1] as number);
    if (gap > largestGap) {
      largestGap = gap;
      west = sorted[i] as number;
    }
  }
  const middle = west + (360 - largestGap) / 2;
  return (lon) => {
    if (Math.abs(lon - middle) <= 180) return lon;
    return lon - 360 * Math.round((lon - middle) / 360);
  };
}

/**
 * The projection showing all of `points` inside `width`×`height` with `padding` pixels around.
 * Content across the antimeridian is fitted by its shortest arc ({@link continuousLongitudes}), and
 * `unproject` then answers longitudes on that continuous stretch (possibly beyond ±180).
 */
export function fitProjection(points: readonly LatLon[], width: number, height: number, padding = 24): Projection {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  const place = continuousLongitudes(points.map((point) => point.lon));
  for (const point of points) {
    if (!Number.isFinite(point.lat) || !Number.isFinite(point.lon)) continue;
    const x = mercatorX(place(point.lon));
    const y = mercatorY(point.lat);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  if (minX > maxX) {
    minX = 0;
    maxX = 1;
    minY = 0;
    maxY = 1;
  }
  const centerX = (minX + maxX) / 2;
  const centerY = (minY + maxY) / 2;
  const spanX = Math.max(maxX - minX, MIN_WORLD_SPAN);
  const spanY = Math.max(maxY - minY, MIN_WORLD_SPAN);
  const innerWidth = Math.max(1, width - 2 * padding);
  const innerHeight = Math.max(1, height - 2 * padding);
  const scale = Math.min(innerWidth / spanX, innerHeight / spanY);
  return {
    scale,
    width,
    height,
    project: (point) => ({
      x: (mercatorX(place(point.lon)) - centerX) * scale + width / 2,
      y: (mercatorY(point.lat) - centerY) * scale + height / 2,
    }),
    unproject: (point) => ({
      lon: lonOfMercatorX((point.x - width / 2) / scale + centerX),
      lat: latOfMercatorY((point.y - height / 2) / scale + centerY),
    }),
  };
}

/**
 * The bounds spanned by two screen corners (any order): the western corner's longitude normalized
 * and the drawn width kept, so a box drawn across the antimeridian crosses it (minLon > maxLon).
 */
export function boundsBetween(projection: Projection, a: ScreenPoint, b: ScreenPoint): GeoBounds {
  const first = projection.unproject(a);
  const second = projection.unproject(b);
  return boundsSpanning(
    Math.min(first.lat, second.lat),
    Math.max(first.lat, second.lat),
    Math.min(first.lon, second.lon),
    Math.abs(first.lon - second.lon),
  );
}

/** The screen rectangle of `bounds`, eastward from its western edge, in one piece across the antimeridian. */
export function projectBounds(
  projection: Projection,
  bounds: GeoBounds,
): { x: number; y: number; width: number; height: number } {
  const northWest = projection.project({ lat: bounds.maxLat, lon: bounds.minLon });
  const south = projection.project({ lat: bounds.minLat, lon: bounds.minLon }).y;
  return {
    x: northWest.x,
    y: northWest.y,
    width: (longitudeSpan(bounds) / 360) * projection.scale,
    height: south - northWest.y,
  };
}

const EARTH_CIRCUMFERENCE_METERS = 40_075_016.686;

/** A round distance and its length in pixels, about `targetPixels` long, at the drawing's centre. */
export function scaleBarFor(projection: Projection, targetPixels = 120): { meters: number; pixels: number } {
  const centre = projection.unproject({ x: projection.width / 2, y: projection.height / 2 });
  const metersPerPixel = (EARTH_CIRCUMFERENCE_METERS * Math.cos((centre.lat * Math.PI) / 180)) / projection.scale;
  const raw = metersPerPixel * targetPixels;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const meters =
    [1, 2, 5, 10]
      .map((step) => step * magnitude)
      .filter((value) => value <= raw)
      .pop() ?? magnitude;
  return { meters, pixels: meters / metersPerPixel };
}
