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

/** How far ahead of real time a device clock may run: well within the schema's 10 min future limit. */
const MAX_LEAD_MS = 5 * 60 * 1000;

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
 * A fleet of devices walking realistic tracks. Each message holds the fixes since the device's previous one
 * (`samplesPerMessage` of them, one a second), so tracks continue from message to message. A device's clock only
 * moves forward; when the fleet sends faster than real time it runs ahead, and is pulled back (a gap in its track)
 * whenever a message would end more than 5 min ahead, well within the schema's 10 min future limit.
 */
export class GeneratedFleetSource implements MessageSource {
  private readonly devices: SimulatedDevice[];
  private readonly samplesPerMessage: number;
  private cursor = 0;

  constructor(
    options: { devices: number; devicePrefix: string; samplesPerMessage: number; nowMs: number },
    private readonly random: Random,
  ) {
    this.samplesPerMessage = options.samplesPerMessage;
    const startMs = options.nowMs - options.samplesPerMessage * SAMPLE_INTERVAL_MS;
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
    // Judged by where the message would end: a long message starting near the present can end past the limit.
    const spanMs = this.samplesPerMessage * SAMPLE_INTERVAL_MS;
    if (device.state.timeMs + spanMs > nowMs + MAX_LEAD_MS) device.state = { ...device.state, timeMs: nowMs - spanMs };
    const { points, end } = walkTrack(device.state, this.samplesPerMessage, device.profile, this.random);
    device.state = end;
    const message: XRayMessage = { [device.deviceId]: toXRayPayload(points) };
    return { deviceId: device.deviceId, body: Buffer.from(JSON.stringify(message)) };
  }
}
