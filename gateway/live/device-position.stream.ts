import type { LiveMetrics } from './live.metrics';
import { LiveStream } from './live-stream';
import type { DevicePosition } from './device-position.model';

export interface DevicePositionStreamOptions {
  deviceIds: readonly string[] | undefined;
  /** Most devices with a pending position. */
  maxDevices: number;
  metrics: LiveMetrics;
}

const KIND = 'devicePosition';

/**
 * The `devicePosition` subscription of one client. A slow client gets each device's latest
 * position, not every intermediate one: pending positions coalesce per device, so the buffer
 * holds at most one entry per device (and at most `maxDevices`).
 *
 * It is pushed only positions that are their device's newest, in arrival order per device (the
 * `DevicePositionFeed` judges each message once for every stream, against the device's
 * stored position), so it keeps no history of its own: a late, older message never reaches it.
 */
export class DevicePositionStream extends LiveStream<Readonly<DevicePosition>> {
  /** Pending position per device, in the order devices first became pending. */
  private readonly pending = new Map<string, Readonly<DevicePosition>>();
  private readonly deviceIdSet: ReadonlySet<string> | undefined;

  constructor(private readonly options: DevicePositionStreamOptions) {
    super();
    this.deviceIdSet = options.deviceIds ? new Set(options.deviceIds) : undefined;
    this.onClose(() => {
      this.options.metrics.bufferedEvents.dec({ subscription: KIND }, this.pending.size);
      this.pending.clear();
    });
  }

  /** Positions waiting for the client (at most one per device). */
  get bufferedCount(): number {
    return this.pending.size;
  }

  /** Takes a device's newest position (replacing its pending one). */
  readonly push = (position: Readonly<DevicePosition>): void => {
    if (this.closed) return;
    const { deviceId } = position;
    if (this.deviceIdSet && !this.deviceIdSet.has(deviceId)) return;
    this.options.metrics.eventsBuffered.inc({ subscription: KIND });
    if (this.pending.has(deviceId)) {
      this.options.metrics.eventsDiscarded.inc({ subscription: KIND });
    } else {
      if (this.pending.size >= this.options.maxDevices) this.dropOldestPending();
      this.options.metrics.bufferedEvents.inc({ subscription: KIND });
    }
    this.pending.set(deviceId, position);
    this.notify();
  };

  protected async pull(): Promise<Readonly<DevicePosition> | undefined> {
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    const [deviceId, position] = first.value;
    this.pending.delete(deviceId);
    this.options.metrics.bufferedEvents.dec({ subscription: KIND });
    return position;
  }

  private dropOldestPending(): void {
    const oldest = this.pending.keys().next();
    if (oldest.done) return;
    this.pending.delete(oldest.value);
    this.options.metrics.bufferedEvents.dec({ subscription: KIND });
    this.options.metrics.eventsDiscarded.inc({ subscription: KIND });
    this.options.metrics.bufferOverflows.inc({ subscription: KIND });
  }
}
