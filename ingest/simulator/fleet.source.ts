import type { XRayMessage } from '../../schema';
import type { Random } from './seeded-random';
import {
  MOTION_PROFILES,
  type MotionProfile,
  SAMPLE_INTERVAL_MS,
  type TrackState,
  initialTrackState,
  toXRayPayload,
  walkTrack,
} from './track.generator';

/** One message ready to sign: whose it is and its exact bytes. */
export interface OutgoingXRay {
  deviceId: string;
  body: Buffer;
}

/** Produces the messages of a simulated fleet, one device after another. */
export interface MessageSource {
  next(nowMs: number): OutgoingXRay;
}

/** How far ahead of real time a message may end: well within the schema's 10 min future limit. */
const MAX_LEAD_MS = 5 * 60 * 1000;

/** Most fixes in one message when their number follows the clock (a device quiet for longer resumes after a gap). */
export const MAX_FIXES_PER_MESSAGE = 600;

/** Cities the simulated devices start around, so a map shows several clusters. */
const CENTERS = [
  { lat: 51.3397, lon: 12.3731 },
  { lat: 52.52, lon: 13.405 },
  { lat: 48.8566, lon: 2.3522 },
  { lat: 40.7128, lon: -74.006 },
  { lat: -33.8688, lon: 151.2093 },
];

interface SimulatedDevice {
  deviceId: string;
  profile: MotionProfile;
  state: TrackState;
}

/**
 * A fleet of devices walking realistic tracks, one fix a second. Each message holds the fixes since the
 * device's previous one, so tracks continue from message to message: as many as seconds passed (at least
 * 1, at most {@link MAX_FIXES_PER_MESSAGE}), or `samplesPerMessage` when given. A device's clock moves
 * forward. Behind real time by more than a message holds (its first message, a pause, fewer fixes than
 * seconds), it skips ahead to end its message now: a gap in its track. Ahead of real time (sending faster
 * than it), a message holds one fix, so the clock creeps instead of leaping; the options keep a fleet from
 * sending faster than one message a second per device, and fixed messages from covering more time than
 * passes. Only a burst (the sender catching up a backlog) can push a device more than 5 min ahead: then,
 * and only then, its clock is set back to now, since the schema refuses messages 10 min ahead.
 */
export class GeneratedFleetSource implements MessageSource {
  private readonly devices: SimulatedDevice[];
  private readonly samplesPerMessage: number | undefined;
  private cursor = 0;

  constructor(
    options: { devices: number; devicePrefix: string; samplesPerMessage?: number; nowMs: number },
    private readonly random: Random,
  ) {
    this.samplesPerMessage = options.samplesPerMessage;
    // The first message of each device ends about now.
    const startMs = options.nowMs - (options.samplesPerMessage ?? 1) * SAMPLE_INTERVAL_MS;
    this.devices = Array.from({ length: options.devices }, (_, i) => {
      const center = CENTERS[i % CENTERS.length] as { lat: number; lon: number };
      return {
        deviceId: `${options.devicePrefix}-${String(i).padStart(5, '0')}`,
        profile: MOTION_PROFILES[i % MOTION_PROFILES.length] as MotionProfile,
        state: initialTrackState(center, 5_000, startMs, random),
      };
    });
  }

  next(nowMs: number): OutgoingXRay {
    const device = this.devices[this.cursor] as SimulatedDevice;
    this.cursor = (this.cursor + 1) % this.devices.length;
    const secondsBehind = Math.round((nowMs - device.state.timeMs) / SAMPLE_INTERVAL_MS);
    let count = this.samplesPerMessage ?? Math.min(MAX_FIXES_PER_MESSAGE, Math.max(1, secondsBehind));
    const spanMs = count * SAMPLE_INTERVAL_MS;
    // More than a fix behind once the message is sent (not a rounding remainder): skip ahead to end it now.
    if (nowMs - (device.state.timeMs + spanMs) > SAMPLE_INTERVAL_MS)
      device.state = { ...device.state, timeMs: nowMs - spanMs };
    // Judged by where the message would end: a long message starting near the present can end past the limit.
    else if (device.state.timeMs + spanMs > nowMs + MAX_LEAD_MS) {
      count = 1;
      if (device.state.timeMs + SAMPLE_INTERVAL_MS > nowMs + MAX_LEAD_MS)
        device.state = { ...device.state, timeMs: nowMs - SAMPLE_INTERVAL_MS };
    }
    const { points, end } = walkTrack(device.state, count, device.profile, this.random);
    device.state = end;
    const message: XRayMessage = { [device.deviceId]: toXRayPayload(points) };
    return { deviceId: device.deviceId, body: Buffer.from(JSON.stringify(message)) };
  }
}
