import type { ProcessedSignalEvent } from '../../schema';
import type { DevicePosition } from './device-position.model';
import { parseProcessedSignalEvent, toDevicePosition, toLiveSignal, type LiveSignal } from './processed-signal.mapper';

/**
 * One processed-signal event as every live stream reads it: validated and mapped once per Redis
 * message, then shared read-only by all subscriptions (and the identity that lets the websocket
 * server share one execution result between them).
 */
export interface LiveEvent {
  readonly event: Readonly<ProcessedSignalEvent>;
  /** The signal as `signalProcessed` delivers it. */
  readonly signal: Readonly<LiveSignal>;
  /** The end position as `devicePosition` delivers it. */
  readonly position: Readonly<DevicePosition>;
}

/** The {@link LiveEvent} of a well-formed event, or `undefined`. */
export function toLiveEvent(payload: unknown): LiveEvent | undefined {
  const event = parseProcessedSignalEvent(payload);
  return event && { event, signal: toLiveSignal(event), position: toDevicePosition(event) };
}

/**
 * Parses each Redis message once, however many listeners receive it: the pub/sub layer hands
 * every listener of a channel the same parsed JSON object, so results are cached by that object.
 */
export class LiveEventDecoder {
  private readonly decoded = new WeakMap<object, LiveEvent | null>();

  /** `onMalformed` runs once per malformed JSON object (a non-object message, once per listener). */
  constructor(private readonly onMalformed: () => void) {}

  decode(payload: unknown): LiveEvent | undefined {
    if (typeof payload !== 'object' || payload === null) {
      this.onMalformed();
      return undefined;
    }
    const cached = this.decoded.get(payload);
    if (cached !== undefined) return cached ?? undefined;
    const live = toLiveEvent(payload);
    this.decoded.set(payload, live ?? null);
    if (!live) this.onMalformed();
    return live;
  }
}
