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
  /**
   * Reads the device's newest stored signal now (greatest end position) as an item, for
   * {@link NewestPositions.correct}; `undefined` when it has none. A rejection counts as "could not be read".
   */
  readNewest(deviceId: string): Promise<{ position: SamplePosition; item: T } | undefined>;
  /** Receives each judged item, in arrival order per device: `current` unless an older position. */
  onVerdict(item: T, current: boolean): void;
  /** Most devices remembered; the one judged longest ago is forgotten first (read again when needed). */
  maxDevices: number;
  /** After a failed lookup, positions are judged against the events alone for this long (ms), then read again. */
  retryAfterMs: number;
  /** Most devices read by one lookup. */
  maxLookupBatch: number;
  /** Most reads of a device's newest signal under way at once (corrections, catch-ups); the rest wait. */
  maxConcurrentNewestReads?: number;
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
  /** Corrected: the device's newest signal is read (not only its stored position) and delivered. */
  correcting: boolean;
  /** The items queued before this index came before the latest correction, which supersedes them. */
  supersededBefore: number;
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
 * must call {@link forget} when it may have missed a device's items (it stopped listening), or
 * {@link catchUp} when it may have missed every device's (Redis reconnected): a newest that
 * missed a position could let an older one through; and
 * {@link correct} when the device's stored position was set back (its newest signal deleted or
 * back-dated), the one case where a device's position must move back.
 */
export class NewestPositions<T> {
  /** Devices whose newest is known, least recently judged first. */
  private readonly known = new Map<string, KnownDevice>();
  private readonly loading = new Map<string, LoadingDevice<T>>();
  /** Devices to read in the next lookup. */
  private readonly toLookUp = new Set<string>();
  private lookupScheduled = false;
  private readonly now: () => number;
  private newestReadsRunning = 0;
  /** Devices whose newest-signal read waits for a free slot, in order. */
  private readonly newestReadsWaiting: string[] = [];
  /** Bumped by every catch-up, so an older one still reading stops. */
  private catchUpRound = 0;
  private closed = false;

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
    const entry: LoadingDevice<T> = {
      newest: known?.newest,
      queue: [{ position, item }],
      invalidated: false,
      correcting: false,
      supersededBefore: 0,
    };
    this.loading.set(deviceId, entry);
    this.requestLookup(deviceId);
  }

  /**
   * The device's stored position was set back: reads its newest signal now and delivers it as
   * current, whatever was delivered before; then judges the items that arrived meanwhile against
   * it. Items still waiting from before the correction are superseded by it (not current): they
   * may name the very signal removed. A correction during a read makes the read start over.
   */
  correct(deviceId: string): void {
    const loading = this.loading.get(deviceId);
    if (loading !== undefined) {
      loading.newest = undefined;
      loading.correcting = true;
      loading.invalidated = true;
      loading.supersededBefore = loading.queue.length;
      return;
    }
    this.known.delete(deviceId);
    this.loading.set(deviceId, {
      newest: undefined,
      queue: [],
      invalidated: false,
      correcting: true,
      supersededBefore: 0,
    });
    this.scheduleNewestRead(deviceId);
  }

  /** The device's items may have been missed: its stored position is read again before the next verdict. */
  forget(deviceId: string): void {
    this.known.delete(deviceId);
    const loading = this.loading.get(deviceId);
    if (loading !== undefined) loading.invalidated = true;
  }

  /**
   * Items may have been missed for every device (Redis reconnected): reads the stored positions of
   * the devices known here, one batch after another, and {@link correct}s those whose stored
   * position differs from their known newest (moved on, or set back by a correction that was
   * missed too), so their streams get the newest signal. Devices being read get their newest
   * signal read instead; a device whose stored position cannot be read is forgotten. Until its
   * batch is read, a device's items are judged against the newest known before.
   */
  catchUp(): void {
    for (const loading of this.loading.values()) {
      loading.invalidated = true;
      loading.correcting = true;
    }
    void this.catchUpAll([...this.known.keys()], ++this.catchUpRound);
  }

  private async catchUpAll(deviceIds: readonly string[], round: number): Promise<void> {
    for (let start = 0; start < deviceIds.length && round === this.catchUpRound; start += this.options.maxLookupBatch) {
      await this.catchUpBatch(deviceIds.slice(start, start + this.options.maxLookupBatch));
    }
  }

  private async catchUpBatch(deviceIds: readonly string[]): Promise<void> {
    const stored = await this.readStored(deviceIds);
    if (stored === undefined) {
      for (const deviceId of deviceIds) this.forget(deviceId);
      return;
    }
    for (const deviceId of deviceIds) {
      // Forgotten, or being read, meanwhile: its next item or that read decides.
      const known = this.known.get(deviceId);
      if (known === undefined) continue;
      const position = stored.get(deviceId);
      const differs =
        position === undefined
          ? known.newest !== undefined
          : known.newest === undefined || comparePositions(position, known.newest) !== 0;
      if (differs) this.correct(deviceId);
    }
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
    const stored = await this.readStored(deviceIds);
    for (const deviceId of deviceIds) this.settle(deviceId, stored);
  }

  /** The devices' stored positions, or `undefined` when they could not be read (reported either way). */
  private async readStored(deviceIds: readonly string[]): Promise<ReadonlyMap<string, SamplePosition> | undefined> {
    let stored: ReadonlyMap<string, SamplePosition> | undefined;
    let failure: unknown;
    try {
      stored = await this.options.lookup(deviceIds);
    } catch (error) {
      failure = error ?? new Error('the stored positions could not be read');
    }
    this.options.onLookupSettled?.(deviceIds, failure);
    return stored;
  }

  /** Ends a device's read (`stored` undefined: it failed) and judges what waited for it. */
  private settle(deviceId: string, stored: ReadonlyMap<string, SamplePosition> | undefined): void {
    const loading = this.endRead(deviceId);
    if (loading === undefined) return;
    const known: KnownDevice = { newest: loading.newest };
    if (stored === undefined) {
      known.retryAt = this.now() + this.options.retryAfterMs;
    } else {
      const position = stored.get(deviceId);
      if (position !== undefined) advance(known, position);
    }
    this.remember(deviceId, known);
    for (const { position, item } of loading.queue) this.options.onVerdict(item, advance(known, position));
  }

  /** Starts no further reads (catch-ups, corrections, their retries); reads under way just end. */
  close(): void {
    this.closed = true;
    this.catchUpRound += 1;
    this.newestReadsWaiting.length = 0;
  }

  /** Reads the device's newest signal when a slot is free (bounded, so a catch-up cannot flood the database). */
  private scheduleNewestRead(deviceId: string): void {
    if (this.closed) return;
    if (this.newestReadsRunning >= (this.options.maxConcurrentNewestReads ?? DEFAULT_CONCURRENT_NEWEST_READS)) {
      this.newestReadsWaiting.push(deviceId);
      return;
    }
    this.newestReadsRunning += 1;
    void this.readNewest(deviceId).finally(() => {
      this.newestReadsRunning -= 1;
      const next = this.newestReadsWaiting.shift();
      if (next !== undefined) this.scheduleNewestRead(next);
    });
  }

  /** A correction's read of the device's newest signal; see {@link correct}. */
  private async readNewest(deviceId: string): Promise<void> {
    let newest: { position: SamplePosition; item: T } | undefined;
    let failure: unknown;
    try {
      newest = await this.options.readNewest(deviceId);
    } catch (error) {
      failure = error ?? new Error('the newest signal could not be read');
    }
    this.options.onLookupSettled?.([deviceId], failure);
    const loading = this.endRead(deviceId);
    if (loading === undefined) return;
    const known: KnownDevice = { newest: undefined };
    if (failure !== undefined) {
      known.retryAt = this.now() + this.options.retryAfterMs;
      // The correction is tried again then, even for a device that stays quiet (while it is still
      // this entry: forgotten or read since, the device's state was settled otherwise).
      setTimeout(() => {
        if (!this.closed && this.known.get(deviceId) === known) this.correct(deviceId);
      }, this.options.retryAfterMs).unref();
    }
    this.remember(deviceId, known);
    const superseded = loading.queue.splice(0, loading.supersededBefore);
    for (const { item } of superseded) this.options.onVerdict(item, false);
    if (newest !== undefined) {
      known.newest = newest.position;
      this.options.onVerdict(newest.item, true);
    }
    for (const { position, item } of loading.queue) this.options.onVerdict(item, advance(known, position));
  }

  /**
   * A read of the device ended: its entry, to judge what waited for it, unless the read is void.
   * Forgotten or corrected meanwhile (invalidated), the device is read again instead: its newest
   * signal when it is being corrected, else its stored position.
   */
  private endRead(deviceId: string): LoadingDevice<T> | undefined {
    const loading = this.loading.get(deviceId);
    if (loading === undefined) return undefined;
    if (loading.invalidated) {
      loading.invalidated = false;
      if (loading.correcting) this.scheduleNewestRead(deviceId);
      else this.requestLookup(deviceId);
      return undefined;
    }
    this.loading.delete(deviceId);
    return loading;
  }

  private remember(deviceId: string, known: KnownDevice): void {
    this.known.set(deviceId, known);
    if (this.known.size > this.options.maxDevices) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
  }
}

/** Reads of devices' newest signals under way at once, unless the options say otherwise. */
const DEFAULT_CONCURRENT_NEWEST_READS = 4;

/** Whether `position` is at least the device's newest; if so, it becomes the newest. */
function advance(device: { newest: SamplePosition | undefined }, position: SamplePosition): boolean {
  if (device.newest !== undefined && comparePositions(position, device.newest) < 0) return false;
  device.newest = position;
  return true;
}
