import type { LiveMetrics } from './live.metrics';
import { LiveStream } from './live-stream';
import type { DevicePosition } from './device-position.model';
import type { LiveEvent } from './live-event';

export interface DevicePositionStreamOptions {
  deviceIds: readonly string[] | undefined;
  /** Most devices tracked (pending positions and last delivered times each). */
  maxDevices: number;
  metrics: LiveMetrics;
}

const KIND = 'devicePosition';

/**
 * The `devicePosition` subscription of one client. A slow client gets each device's latest
 * position, not every intermediate one: pending positions coalesce per device, so the buffer
 * holds at most one entry per device (and at most `maxDevices`). A position older than one
 * already delivered or pending for its device (a late message) is skipped, so a marker never
 * jumps back in time.
 */
export class DevicePositionStream extends LiveStream<Readonly<DevicePosition>> {
  /** Pending position per device, in the order devices first became pending. */
  private readonly pending = new Map<string, Readonly<DevicePosition>>();
  /** Sample time (epoch ms) of the newest position delivered or pending, per device. */
  private readonly newestTime = new Map<string, number>();
  private readonly deviceIdSet: ReadonlySet<string> | undefined;

  constructor(private readonly options: DevicePositionStreamOptions) {
    super();
    this.deviceIdSet = options.deviceIds ? new Set(options.deviceIds) : undefined;
    this.onClose(() => {
      this.options.metrics.bufferedEvents.dec({ subscription: KIND }, this.pending.size);
      this.pending.clear();
      this.newestTime.clear();
    });
  }

  /** Positions waiting for the client (at most one per device). */
  get bufferedCount(): number {
    return this.pending.size;
  }

  /** Redis listener: keeps the newest position per device. */
  readonly push = ({ event, position }: LiveEvent): void => {
    if (this.closed) return;
    if (this.deviceIdSet && !this.deviceIdSet.has(event.deviceId)) return;
    const newest = this.newestTime.get(event.deviceId);
    if (newest !== undefined && newest >= event.end.time) return;
    this.options.metrics.eventsBuffered.inc({ subscription: KIND });
    if (this.pending.has(event.deviceId)) {
      this.options.metrics.eventsDiscarded.inc({ subscription: KIND });
    } else {
      if (this.pending.size >= this.options.maxDevices) this.dropOldestPending();
      this.options.metrics.bufferedEvents.inc({ subscription: KIND });
    }
    this.pending.set(event.deviceId, position);
    this.rememberTime(event.deviceId, event.end.time);
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

  private rememberTime(deviceId: string, time: number): void {
    // Re-inserting moves the device to the end, so the map drops the least recently moved device.
    this.newestTime.delete(deviceId);
    this.newestTime.set(deviceId, time);
    if (this.newestTime.size > this.options.maxDevices) {
      const oldest = this.newestTime.keys().next();
      if (!oldest.done) this.newestTime.delete(oldest.value);
    }
  }
}
