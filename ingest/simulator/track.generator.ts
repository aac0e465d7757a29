import type { XRayPayload, XRaySample } from '../../schema';
import { type Random, gaussian } from './seeded-random';

/** Mean Earth radius (m), as the processor uses for distances. */
const EARTH_RADIUS_M = 6_371_008.8;
const MINUTE_MS = 60_000;

/** How one kind of device moves. */
export interface MotionProfile {
  name: string;
  /** Speed never exceeds this (m/s). */
  maxSpeedMps: number;
  /** Typical cruising speed (m/s). */
  cruiseSpeedMps: number;
  /** Standard deviation of the heading change per second (degrees). */
  headingJitterDeg: number;
}

/** Walkers, cyclists and cars: speeds well under the processor's 300 km/h jump limit. */
export const MOTION_PROFILES: readonly MotionProfile[] = [
  { name: 'walker', maxSpeedMps: 2.5, cruiseSpeedMps: 1.3, headingJitterDeg: 12 },
  { name: 'cyclist', maxSpeedMps: 9, cruiseSpeedMps: 5, headingJitterDeg: 6 },
  { name: 'car', maxSpeedMps: 36, cruiseSpeedMps: 14, headingJitterDeg: 3 },
];

/** Where a device is and where it heads, at the time of its last sample. */
export interface TrackState {
  timeMs: number;
  lat: number;
  lon: number;
  headingDeg: number;
  speedMps: number;
}

/** One GPS fix before it is packed into a message. */
export interface TrackPoint {
  timeMs: number;
  lat: number;
  lon: number;
  speedMps: number;
}

/** GPS-like sampling: about one fix a second, a few milliseconds early or late. */
export const SAMPLE_INTERVAL_MS = 1_000;
export const SAMPLE_JITTER_MS = 8;

/** A starting state near `center` (within `radiusM`), heading anywhere, at rest. */
export function initialTrackState(
  center: { lat: number; lon: number },
  radiusM: number,
  timeMs: number,
  random: Random,
): TrackState {
  const distance = Math.sqrt(random()) * radiusM;
  const bearing = random() * 360;
  const start = moveBy(center.lat, center.lon, bearing, distance);
  return { timeMs, lat: start.lat, lon: start.lon, headingDeg: random() * 360, speedMps: 0 };
}

/**
 * The next fix about one second later: the heading wanders, the speed drifts towards the profile's cruising speed
 * and stays within [0, maxSpeed], and the position advances along the heading by speed × elapsed time. The distance
 * between consecutive fixes therefore never exceeds maxSpeed × elapsed time.
 */
export function nextTrackState(state: TrackState, profile: MotionProfile, random: Random): TrackState {
  const elapsedMs = SAMPLE_INTERVAL_MS + Math.round((random() * 2 - 1) * SAMPLE_JITTER_MS);
  const pull = (profile.cruiseSpeedMps - state.speedMps) * 0.1;
  const speedMps = clamp(state.speedMps + pull + gaussian(random) * profile.maxSpeedMps * 0.05, 0, profile.maxSpeedMps);
  const headingDeg = (state.headingDeg + gaussian(random) * profile.headingJitterDeg + 360) % 360;
  const position = moveBy(state.lat, state.lon, headingDeg, (speedMps * elapsedMs) / 1000);
  return { timeMs: state.timeMs + elapsedMs, lat: position.lat, lon: position.lon, headingDeg, speedMps };
}

/** `count` consecutive fixes after `state`, and the state after the last one. */
export function walkTrack(
  state: TrackState,
  count: number,
  profile: MotionProfile,
  random: Random,
): { points: TrackPoint[]; end: TrackState } {
  const points: TrackPoint[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    current = nextTrackState(current, profile, random);
    points.push({ timeMs: current.timeMs, lat: current.lat, lon: current.lon, speedMps: current.speedMps });
  }
  return { points, end: current };
}

/**
 * Packs fixes the way the devices do: `time` is the start of the minute of the first fix, and each offset is the
 * millisecond within the current minute, so it falls back at every new minute. This only round-trips when no
 * whole minute passes without a fix, which one-second sampling guarantees.
 */
export function toXRayPayload(points: readonly TrackPoint[]): XRayPayload {
  const first = points[0];
  if (!first) throw new Error('a message needs at least one fix');
  const time = Math.floor(first.timeMs / MINUTE_MS) * MINUTE_MS;
  const data: XRaySample[] = points.map((p) => [
    p.timeMs % MINUTE_MS,
    [round(p.lat, 7), round(p.lon, 7), round(p.speedMps, 6)],
  ]);
  return { time, data };
}

function moveBy(lat: number, lon: number, bearingDeg: number, distanceM: number): { lat: number; lon: number } {
  const bearing = (bearingDeg * Math.PI) / 180;
  const dLat = (distanceM * Math.cos(bearing)) / EARTH_RADIUS_M;
  const cosLat = Math.max(Math.cos((lat * Math.PI) / 180), 1e-6);
  const dLon = (distanceM * Math.sin(bearing)) / (EARTH_RADIUS_M * cosLat);
  const nextLat = clamp(lat + (dLat * 180) / Math.PI, -89.9, 89.9);
  let nextLon = lon + (dLon * 180) / Math.PI;
  if (nextLon > 180) nextLon -= 360;
  if (nextLon < -180) nextLon += 360;
  return { lat: nextLat, lon: nextLon };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
