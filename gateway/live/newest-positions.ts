/** A sample's time (epoch ms) and place: what positions are compared by. */
export interface SamplePosition {
  readonly time: number;
  readonly lat: number;
  readonly lon: number;
  readonly speed: number;
}

/**
 * Orders positions as the processor's `$max` orders a device's stored `lastPosition` (MongoDB
 * compares embedded documents field by field): by time, ties by lat, lon, then speed. So the
 * position judged newest here is the one `device.lastPosition` holds.
 */
export function comparePositions(a: SamplePosition, b: SamplePosition): number {
  return a.time - b.time || a.lat - b.lat || a.lon - b.lon || a.speed - b.speed;
}

export interface NewestPositionsOptions<T> {
  /**
   * Reads the stored newest position of each device (its rollup's `lastPosition`); a device
   * without one is absent from the result. A rejection counts as "could not be read".
   */
  lookup(deviceIds: readonly string[]): Promise<ReadonlyMap<string, SamplePosition>>;
  /** Receives each judged item, in arrival order per device: `current` unless an older position. */
  onVerdict(item: T, current: boolean): void;
  /** Most devices remembered; the one judged longest ago is forgotten first (read again when needed). */
  maxDevices: number;
  /** After a failed lookup, positions are judged against the events alone for this long (ms), then read again. */
  retryAfterMs: number;
  /** Most devices read by one lookup. */
  maxLookupBatch: number;
  /** Called once per lookup with its devices and its error (`undefined` when it succeeded). */
  onLookupSettled?(deviceIds: readonly string[], error: unknown): void;
  now?: () => number;
}

interface KnownDevice {
  /** The newest position stored or seen since; `undefined` when the device has none yet. */
  newest: SamplePosition | undefined;
  /** Set when the stored position could not be read: the time (epoch ms) to try again. */
  retryAt?: number;
}

interface LoadingDevice<T> {
  /** The newest position seen before this lookup (after a failed one), if any. */
  newest: SamplePosition | undefined;
  /** Items that arrived while the stored position was read, judged in this order once it is. */
  queue: Array<{ position: SamplePosition; item: T }>;
  /** Forgotten while read: the result may miss positions that were not seen, so read again. */
  invalidated: boolean;
}

/**
 * The newest position of each device, shared by every `devicePosition` subscription of a gateway
 * process, so a late, older message never moves a device back, however new the subscription.
 *
 * A device's stored position is read once (when its first item arrives); from then on every item
 * of the device must be judged here, in arrival order, which keeps the newest current without
 * reading again. The processor publishes an event only after its signal's rollups landed, so the
 * stored position already counts the item whose arrival triggered the read: an item equal to the
 * newest is current (it usually *is* the newest), only an older one is not. Items arriving while
 * the read is under way wait for it, so verdicts keep arrival order per device. Whoever feeds this
 * must call {@link forget} when it may have missed a device's items (it stopped listening, or
 * Redis reconnected): a newest that missed a position could let an older one through.
 */
export class NewestPositions<T> {
  /** Devices whose newest is known, least recently judged first. */
  private readonly known = new Map<string, KnownDevice>();
  private readonly loading = new Map<string, LoadingDevice<T>>();
  /** Devices to read in the next lookup. */
  private readonly toLookUp = new Set<string>();
  private lookupScheduled = false;
  private readonly now: () => number;

  constructor(private readonly options: NewestPositionsOptions<T>) {
    this.now = options.now ?? Date.now;
  }

  /** Devices remembered or being read. */
  get size(): number {
    return this.known.size + this.loading.size;
  }

  /** Judges `item`, whose device is at `position`: at once, or once the device's stored position was read. */
  judge(deviceId: string, position: SamplePosition, item: T): void {
    const loading = this.loading.get(deviceId);
    if (loading !== undefined) {
      loading.queue.push({ position, item });
      return;
    }
    const known = this.known.get(deviceId);
    if (known !== undefined && (known.retryAt === undefined || known.retryAt > this.now())) {
      // Re-inserted last, so the first key is always the device judged longest ago.
      this.known.delete(deviceId);
      this.known.set(deviceId, known);
      this.options.onVerdict(item, advance(known, position));
      return;
    }
    this.known.delete(deviceId);
    const entry: LoadingDevice<T> = { newest: known?.newest, queue: [{ position, item }], invalidated: false };
    this.loading.set(deviceId, entry);
    this.requestLookup(deviceId);
  }

  /** The device's items may have been missed: its stored position is read again before the next verdict. */
  forget(deviceId: string): void {
    this.known.delete(deviceId);
    const loading = this.loading.get(deviceId);
    if (loading !== undefined) loading.invalidated = true;
  }

  /** {@link forget} every device, except those `keep` names. */
  forgetAll(keep: (deviceId: string) => boolean = () => false): void {
    for (const deviceId of this.known.keys()) if (!keep(deviceId)) this.known.delete(deviceId);
    for (const [deviceId, loading] of this.loading) if (!keep(deviceId)) loading.invalidated = true;
  }

  private requestLookup(deviceId: string): void {
    this.toLookUp.add(deviceId);
    if (this.lookupScheduled) return;
    this.lookupScheduled = true;
    // Redis hands over every message of a socket read synchronously: the devices first seen in
    // one read share one query.
    queueMicrotask(() => {
      this.lookupScheduled = false;
      const deviceIds = [...this.toLookUp];
      this.toLookUp.clear();
      for (let start = 0; start < deviceIds.length; start += this.options.maxLookupBatch) {
        void this.lookUp(deviceIds.slice(start, start + this.options.maxLookupBatch));
      }
    });
  }

  private async lookUp(deviceIds: readonly string[]): Promise<void> {
    let stored: ReadonlyMap<string, SamplePosition> | undefined;
    let failure: unknown;
    try {
      stored = await this.options.lookup(deviceIds);
    } catch (error) {
      failure = error ?? new Error('the stored positions could not be read');
    }
    this.options.onLookupSettled?.(deviceIds, failure);
    for (const deviceId of deviceIds) this.settle(deviceId, stored);
  }

  /** Ends a device's read (`stored` undefined: it failed) and judges what waited for it. */
  private settle(deviceId: string, stored: ReadonlyMap<string, SamplePosition> | undefined): void {
    const loading = this.loading.get(deviceId);
    if (loading === undefined) return;
    if (loading.invalidated) {
      loading.invalidated = false;
      this.requestLookup(deviceId);
      return;
    }
    this.loading.delete(deviceId);
    const known: KnownDevice = { newest: loading.newest };
    if (stored === undefined) {
      known.retryAt = this.now() + this.options.retryAfterMs;
    } else {
      const position = stored.get(deviceId);
      if (position !== undefined) advance(known, position);
    }
    this.known.set(deviceId, known);
    if (this.known.size > this.options.maxDevices) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
    for (const { position, item } of loading.queue) this.options.onVerdict(item, advance(known, position));
  }
}

/** Whether `position` is at least the device's newest; if so, it becomes the newest. */
function advance(device: { newest: SamplePosition | undefined }, position: SamplePosition): boolean {
  if (device.newest !== undefined && comparePositions(position, device.newest) < 0) return false;
  device.newest = position;
  return true;
}
