import { readFileSync } from 'node:fs';
import type { XRayMessage, XRayPayload } from '../../schema';
import type { MessageSource, OutgoingXRay } from './fleet.source';

const MINUTE_MS = 60_000;

/** A recorded device message: its device id and payload. */
export interface RecordedXRay {
  deviceId: string;
  payload: XRayPayload;
}

/** Reads a recorded x-ray message (e.g. ../shared/fixtures/x-ray.json). */
export function loadRecordedXRay(path: string): RecordedXRay {
  const message = JSON.parse(readFileSync(path, 'utf8')) as XRayMessage;
  const [deviceId, ...others] = Object.keys(message);
  const payload = deviceId === undefined ? undefined : message[deviceId];
  if (!deviceId || !payload || others.length > 0) throw new Error(`${path} must hold exactly one device's message`);
  return { deviceId, payload };
}

/**
 * The recording as if `deviceId` sent it with its first minute starting at `minuteStartMs`. Only whole minutes are
 * shifted, so the offsets (milliseconds within the minute, wrapping as recorded) and every derived figure stay
 * exactly as in the recording.
 */
export function shiftedReplay(recorded: RecordedXRay, deviceId: string, minuteStartMs: number): XRayMessage {
  if (minuteStartMs % MINUTE_MS !== 0) throw new Error('replays shift by whole minutes only');
  return { [deviceId]: { data: recorded.payload.data, time: minuteStartMs } };
}

/** How long the recording lasts, from its message time to its last fix (offset wraps unrolled). */
export function recordedSpanMs(payload: XRayPayload): number {
  let wraps = 0;
  let previous = -1;
  let last = 0;
  for (const [offset] of payload.data) {
    if (offset < previous) wraps += 1;
    previous = offset;
    last = offset + wraps * MINUTE_MS;
  }
  return last;
}

/**
 * Replays the recording from many devices (`<prefix>-00000`, ...). Each device's n-th replay ends in the minute
 * before the run's first message, shifted back n more minutes, so every replay of a run is a distinct message
 * (the processor would store an identical one only once) and none lies in the future. Counted from the run's
 * first minute, not from each message's: a device replaying once a minute would otherwise land on the same
 * minute again and again. A later run repeats an earlier run's message only where that run sent a device more
 * replays than minutes passed between the two starts.
 */
export class ReplaySource implements MessageSource {
  private cursor = 0;
  private readonly sentPerDevice: number[];
  private firstMinute: number | undefined;

  constructor(
    private readonly recorded: RecordedXRay,
    private readonly options: { devices: number; devicePrefix: string },
  ) {
    this.sentPerDevice = new Array<number>(options.devices).fill(0);
  }

  next(nowMs: number): OutgoingXRay {
    const index = this.cursor;
    this.cursor = (this.cursor + 1) % this.options.devices;
    const round = this.sentPerDevice[index] ?? 0;
    this.sentPerDevice[index] = round + 1;
    const deviceId = `${this.options.devicePrefix}-${String(index).padStart(5, '0')}`;
    const spanMinutes = Math.ceil(recordedSpanMs(this.recorded.payload) / MINUTE_MS) + 1;
    this.firstMinute ??= Math.floor(nowMs / MINUTE_MS);
    const minuteStart = (this.firstMinute - spanMinutes - round) * MINUTE_MS;
    return { deviceId, body: Buffer.from(JSON.stringify(shiftedReplay(this.recorded, deviceId, minuteStart))) };
  }
}
