import type { GraphQLHttpClient } from '../api/http-client';
import type { LiveClient, LiveSubscription } from '../api/live-client';
import { FleetDeviceQuery, FleetPageQuery, LivePositionsSubscription } from '../api/operations';
import type { ApiError } from '../api/api-error';
import type { FleetPageQuery as FleetPageResult, LivePositionsSubscriptionVariables } from '../gql/graphql';
import type { LiveSignal, SignalFeed } from '../live/signal-feed';

export type FleetDevice = FleetPageResult['devices']['edges'][number]['node'];

const PAGE_SIZE = 200;
/** Devices listed at most; a larger fleet shows the first ones in id order (the `devices` order). */
export const MAX_FLEET_DEVICES = 5_000;
/**
 * A device's events within this window become one refetch of its figures: positions move at once
 * from the events themselves, the figures may lag this long. A device sending every second then
 * costs a request every 2 s, not one per message, against the key's rate limit.
 */
const REFETCH_DELAY_MS = 2_000;
/** How often figures that only the server derives (e.g. `online`) are refreshed without events. */
const REFRESH_INTERVAL_MS = 60_000;
/** Wait before subscribing to positions again, when the gateway gave no `retryAfterSeconds`. */
const RESUBSCRIBE_DELAY_S = 5;

export interface FleetSnapshot {
  devices: ReadonlyMap<string, FleetDevice>;
  loading: boolean;
  error: ApiError | undefined;
  /** True when the fleet is larger than {@link MAX_FLEET_DEVICES}. */
  truncated: boolean;
}

function positionTime(device: FleetDevice): number {
  return device.lastPosition ? Date.parse(device.lastPosition.time) : -Infinity;
}

/**
 * Every device of the fleet, kept current: positions move with `devicePosition` (and with each
 * processed signal's last sample), and a device's figures are refetched after its events.
 */
export class FleetStore {
  private snapshot: FleetSnapshot = { devices: new Map(), loading: true, error: undefined, truncated: false };
  private readonly listeners = new Set<(snapshot: FleetSnapshot) => void>();
  private readonly pendingRefetch = new Map<string, ReturnType<typeof setTimeout>>();
  private positions: LiveSubscription<LivePositionsSubscriptionVariables> | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private unsubscribeFeed: (() => void) | undefined;
  private unsubscribeReconnected: (() => void) | undefined;
  private resubscribeTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribeRetryNow: (() => void) | undefined;
  /** Live position updates so far, and the number of each device's last one. */
  private liveUpdates = 0;
  private readonly liveUpdateOf = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly http: GraphQLHttpClient,
    private readonly live: LiveClient,
    private readonly feed: SignalFeed,
  ) {}

  start(): void {
    void this.load();
    this.subscribePositions();
    this.unsubscribeFeed = this.feed.onSignal((signal) => this.onSignal(signal));
    // `devicePosition` has no resume: positions sent while disconnected are read back instead.
    this.unsubscribeReconnected = this.live.onReconnected(() => void this.load());
    // The user asked to retry: positions waiting to be subscribed again are, now.
    this.unsubscribeRetryNow = this.live.onRetryNow(() => {
      if (this.resubscribeTimer === undefined) return;
      clearTimeout(this.resubscribeTimer);
      this.resubscribeAndReload();
    });
    this.refreshTimer = setInterval(() => void this.load(), REFRESH_INTERVAL_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.resubscribeTimer);
    this.positions?.unsubscribe();
    this.unsubscribeFeed?.();
    this.unsubscribeReconnected?.();
    this.unsubscribeRetryNow?.();
    clearInterval(this.refreshTimer);
    for (const timer of this.pendingRefetch.values()) clearTimeout(timer);
    this.listeners.clear();
  }

  current(): FleetSnapshot {
    return this.snapshot;
  }

  subscribe(listener: (snapshot: FleetSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads every device page by page. */
  async load(): Promise<void> {
    const since = this.liveUpdates;
    try {
      const devices = new Map<string, FleetDevice>();
      let after: string | null = null;
      let truncated = false;
      for (;;) {
        const page: FleetPageResult = await this.http.request(FleetPageQuery, { first: PAGE_SIZE, after });
        for (const edge of page.devices.edges) devices.set(edge.node.id, edge.node);
        // A stopped store (signed out) reads no further pages.
        if (this.stopped || !page.devices.pageInfo.hasNextPage || !page.devices.pageInfo.endCursor) break;
        if (devices.size >= MAX_FLEET_DEVICES) {
          truncated = true;
          break;
        }
        after = page.devices.pageInfo.endCursor;
      }
      if (this.stopped) return;
      for (const [id, device] of devices) devices.set(id, this.newer(device, since));
      this.update({ devices, loading: false, error: undefined, truncated });
    } catch (error) {
      if (!this.stopped) this.update({ loading: false, error: error as ApiError });
    }
  }

  /**
   * Keeps a live position that arrived while a read was under way (after live update number
   * `since`): the read may not have seen it. Otherwise the read wins, also over a later position
   * shown before it (a correction missed while the subscription was down moves the device back).
   */
  private newer(loaded: FleetDevice, since: number): FleetDevice {
    const known = this.snapshot.devices.get(loaded.id);
    const update = this.liveUpdateOf.get(loaded.id);
    if (known && update !== undefined && update > since) return { ...loaded, lastPosition: known.lastPosition };
    return loaded;
  }

  /**
   * `devicePosition`, again after it ended (a rate limit, Redis away, a fatal close): live
   * positions and corrections must not stop for the rest of the session. What it missed is read back.
   */
  private subscribePositions(): void {
    this.positions = this.live.subscribe(
      LivePositionsSubscription,
      {},
      {
        next: ({ devicePosition }) => this.setPosition(devicePosition.deviceId, devicePosition.position),
        error: (error) => {
          this.positions = undefined;
          this.update({ error });
          if (this.stopped || error.code === 'UNAUTHENTICATED') return;
          this.resubscribeTimer = setTimeout(
            () => this.resubscribeAndReload(),
            (error.retryAfterSeconds ?? RESUBSCRIBE_DELAY_S) * 1000,
          );
        },
      },
    );
  }

  private resubscribeAndReload(): void {
    this.resubscribeTimer = undefined;
    this.subscribePositions();
    void this.load();
  }

  private onSignal(signal: LiveSignal): void {
    const known = this.snapshot.devices.get(signal.deviceId);
    // A signal older than the position shown (a late message) does not move the device back.
    if (known && positionTime(known) <= Date.parse(signal.end.time)) {
      this.replaceDevice({ ...known, online: true, lastPosition: signal.end });
    }
    this.scheduleRefetch(signal.deviceId);
  }

  /**
   * Takes a `devicePosition` as it comes: the gateway sends only a device's newest position, which
   * moves back when its newest signal was deleted or back-dated.
   */
  private setPosition(deviceId: string, position: NonNullable<FleetDevice['lastPosition']>): void {
    const known = this.snapshot.devices.get(deviceId);
    if (known) this.replaceDevice({ ...known, lastPosition: position });
    this.scheduleRefetch(deviceId);
  }

  /** A position from the live feeds: numbered, so reads under way know it came after them. */
  private replaceDevice(device: FleetDevice): void {
    this.liveUpdates += 1;
    this.liveUpdateOf.set(device.id, this.liveUpdates);
    const devices = new Map(this.snapshot.devices);
    devices.set(device.id, device);
    this.update({ devices });
  }

  private scheduleRefetch(deviceId: string): void {
    if (this.pendingRefetch.has(deviceId)) return;
    this.pendingRefetch.set(
      deviceId,
      setTimeout(() => {
        this.pendingRefetch.delete(deviceId);
        void this.refetch(deviceId);
      }, REFETCH_DELAY_MS),
    );
  }

  private async refetch(deviceId: string): Promise<void> {
    const since = this.liveUpdates;
    try {
      const { device } = await this.http.request(FleetDeviceQuery, { id: deviceId });
      if (this.stopped || !device) return;
      const devices = new Map(this.snapshot.devices);
      devices.set(device.id, this.newer(device, since));
      this.update({ devices });
    } catch (error) {
      if (!this.stopped) this.update({ error: error as ApiError });
    }
  }

  private update(change: Partial<FleetSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) listener(this.snapshot);
  }
}
