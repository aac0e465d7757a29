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

/** The projection showing all of `points` inside `width`×`height` with `padding` pixels around. */
export function fitProjection(points: readonly LatLon[], width: number, height: number, padding = 24): Projection {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const point of points) {
    if (!Number.isFinite(point.lat) || !Number.isFinite(point.lon)) continue;
    const x = mercatorX(point.lon);
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
      x: (mercatorX(point.lon) - centerX) * scale + width / 2,
      y: (mercatorY(point.lat) - centerY) * scale + height / 2,
    }),
    unproject: (point) => ({
      lon: lonOfMercatorX((point.x - width / 2) / scale + centerX),
      lat: latOfMercatorY((point.y - height / 2) / scale + centerY),
    }),
  };
}

/** The bounds spanned by two screen corners (any order). */
export function boundsBetween(projection: Projection, a: ScreenPoint, b: ScreenPoint): GeoBounds {
  const first = projection.unproject(a);
  const second = projection.unproject(b);
  return {
    minLat: Math.min(first.lat, second.lat),
    maxLat: Math.max(first.lat, second.lat),
    minLon: Math.min(first.lon, second.lon),
    maxLon: Math.max(first.lon, second.lon),
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
