import { parseDashboardConfig, DEFAULT_DASHBOARD_CONFIG } from '../../gateway/dashboard/src/dashboard-config';
import { nextSort, sortFleet } from '../../gateway/dashboard/src/fleet/fleet-sort';
import { boundsBetween, fitProjection, scaleBarFor } from '../../gateway/dashboard/src/map/projection';
import { ApiError } from '../../gateway/dashboard/src/api/api-error';
import type { LiveSink } from '../../gateway/dashboard/src/api/live-client';
import { FleetPageQuery } from '../../gateway/dashboard/src/api/operations';
import { FleetStore, type FleetDevice } from '../../gateway/dashboard/src/fleet/fleet-store';
import { SignalFeed } from '../../gateway/dashboard/src/live/signal-feed';
import { fromDateTimeInput, toDateTimeInput } from '../../gateway/dashboard/src/ui/format';
import { hrefOf, parseRoute } from '../../gateway/dashboard/src/route';
import {
  EMPTY_FILTER_FORM,
  mergeIntoFirstPage,
  removeFromFirstPage,
  signalFilterOf,
  signalMatchesFilter,
} from '../../gateway/dashboard/src/signals/signal-filter';

// The dashboard's pure logic, run in Node (the browser behaviour is covered by dashboard.browser.test.ts).

const signal = (
  id: string,
  time: string,
  extra: Partial<{ deviceId: string; dataLength: number; dataVolume: number }> = {},
) => ({
  id,
  time,
  deviceId: extra.deviceId ?? 'dev-a',
  dataLength: extra.dataLength ?? 10,
  dataVolume: extra.dataVolume ?? 1000,
  bbox: { minLat: 51, maxLat: 51.1, minLon: 12, maxLon: 12.1 },
});

describe('the signal filter form', () => {
  it('sends only the conditions that are set, with device ids split and deduplicated', () => {
    expect(signalFilterOf(EMPTY_FILTER_FORM)).toEqual({});
    expect(
      signalFilterOf({
        ...EMPTY_FILTER_FORM,
        deviceIds: ' a, b  a ',
        minDataLength: '5',
        maxDataVolume: '900',
        from: '2025-01-01T00:00:00.000Z',
      }),
    ).toEqual({ deviceIds: ['a', 'b'], minDataLength: 5, maxDataVolume: 900, from: '2025-01-01T00:00:00.000Z' });
  });

  it('leaves out numbers that are not whole and non-negative', () => {
    expect(signalFilterOf({ ...EMPTY_FILTER_FORM, minDataLength: '-1', maxDataLength: '2.5' })).toEqual({});
  });

  it('matches live signals as the API does: from inclusive, to exclusive, bbox intersecting', () => {
    const live = signal('1', '2025-01-01T01:00:00.000Z');
    expect(signalMatchesFilter(live, { from: '2025-01-01T01:00:00.000Z' })).toBe(true);
    expect(signalMatchesFilter(live, { to: '2025-01-01T01:00:00.000Z' })).toBe(false);
    expect(signalMatchesFilter(live, { deviceIds: ['dev-b'] })).toBe(false);
    expect(signalMatchesFilter(live, { bbox: { minLat: 51.05, maxLat: 52, minLon: 11, maxLon: 12.05 } })).toBe(true);
    expect(signalMatchesFilter(live, { bbox: { minLat: 52, maxLat: 53, minLon: 12, maxLon: 13 } })).toBe(false);
    expect(signalMatchesFilter(live, { minDataLength: 11 })).toBe(false);
    expect(signalMatchesFilter(live, { maxDataVolume: 999 })).toBe(false);
  });
});

describe('merging a live signal into the first page', () => {
  const rows = [signal('c', '2025-01-01T03:00:00.000Z'), signal('b', '2025-01-01T02:00:00.000Z')];

  it('puts a newer signal on top', () => {
    expect(mergeIntoFirstPage(rows, signal('d', '2025-01-01T04:00:00.000Z'), true)?.map((row) => row.id)).toEqual([
      'd',
      'c',
      'b',
    ]);
  });

  it('orders equal times by id, newest id first', () => {
    expect(mergeIntoFirstPage(rows, signal('z', '2025-01-01T03:00:00.000Z'), true)?.map((row) => row.id)).toEqual([
      'z',
      'c',
      'b',
    ]);
  });

  it('leaves a signal older than the page to the later pages', () => {
    expect(mergeIntoFirstPage(rows, signal('a', '2025-01-01T01:00:00.000Z'), true)).toBeNull();
    expect(mergeIntoFirstPage(rows, signal('a', '2025-01-01T01:00:00.000Z'), false)?.map((row) => row.id)).toEqual([
      'c',
      'b',
      'a',
    ]);
  });

  it('replaces the row of a signal shown again (an update), in its new place, never adding it twice', () => {
    const updated = signal('c', '2025-01-01T01:30:00.000Z', { dataLength: 7 });
    const merged = mergeIntoFirstPage(rows, updated, false);
    expect(merged?.map((row) => row.id)).toEqual(['b', 'c']);
    expect(merged?.[1]).toEqual(updated);
    // Moved behind the page's last row while later pages exist: it shows there, not here.
    expect(mergeIntoFirstPage(rows, updated, true)?.map((row) => row.id)).toEqual(['b']);
    expect(removeFromFirstPage(rows, 'c')?.map((row) => row.id)).toEqual(['b']);
    expect(removeFromFirstPage(rows, 'x')).toBeNull();
  });
});

describe('the map projection', () => {
  const points = [
    { lat: 51.33, lon: 12.33 },
    { lat: 51.35, lon: 12.36 },
  ];

  it('fits every point inside the padded drawing and maps screen points back to the same place', () => {
    const projection = fitProjection(points, 1000, 600, 20);
    for (const point of points) {
      const { x, y } = projection.project(point);
      expect(x).toBeGreaterThanOrEqual(19.999);
      expect(x).toBeLessThanOrEqual(980.001);
      expect(y).toBeGreaterThanOrEqual(19.999);
      expect(y).toBeLessThanOrEqual(580.001);
      const back = projection.unproject({ x, y });
      expect(back.lat).toBeCloseTo(point.lat, 9);
      expect(back.lon).toBeCloseTo(point.lon, 9);
    }
  });

  it('turns a dragged rectangle into ordered bounds', () => {
    const projection = fitProjection(points, 1000, 600);
    const a = projection.project({ lat: 51.34, lon: 12.34 });
    const b = projection.project({ lat: 51.345, lon: 12.35 });
    const bounds = boundsBetween(projection, b, a);
    expect(bounds.minLat).toBeCloseTo(51.34, 9);
    expect(bounds.maxLat).toBeCloseTo(51.345, 9);
    expect(bounds.minLon).toBeCloseTo(12.34, 9);
    expect(bounds.maxLon).toBeCloseTo(12.35, 9);
  });

  it('does not zoom without bound on a single point', () => {
    const projection = fitProjection([{ lat: 10, lon: 10 }], 1000, 600);
    expect(Number.isFinite(projection.scale)).toBe(true);
    expect(projection.project({ lat: 10, lon: 10 })).toEqual({ x: 500, y: 300 });
  });

  it('labels the scale bar with a round distance', () => {
    const bar = scaleBarFor(fitProjection(points, 1000, 600));
    expect([1, 2, 5].map((step) => [step, step * 10, step * 100, step * 1000]).flat()).toContain(bar.meters);
    expect(bar.pixels).toBeGreaterThan(0);
    expect(bar.pixels).toBeLessThanOrEqual(120);
  });
});

describe('the fleet table order', () => {
  const devices = [
    { id: 'b', online: true, lastSeen: '2025-01-01T00:00:00Z', signalCount: 5, totalDistanceMeters: 10, maxSpeed: 1 },
    { id: 'a', online: false, lastSeen: '2025-01-02T00:00:00Z', signalCount: 5, totalDistanceMeters: 30, maxSpeed: 2 },
    { id: 'c', online: true, lastSeen: '2024-12-31T00:00:00Z', signalCount: 9, totalDistanceMeters: 20, maxSpeed: 3 },
  ];

  it('sorts by the chosen column and breaks ties by id', () => {
    expect(sortFleet(devices, { key: 'lastSeen', direction: 'descending' }).map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(sortFleet(devices, { key: 'signalCount', direction: 'ascending' }).map((d) => d.id)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(sortFleet(devices, { key: 'online', direction: 'descending' }).map((d) => d.id)).toEqual(['b', 'c', 'a']);
  });

  it('flips the direction when the same column is chosen again', () => {
    const first = nextSort({ key: 'lastSeen', direction: 'descending' }, 'signalCount');
    expect(first).toEqual({ key: 'signalCount', direction: 'descending' });
    expect(nextSort(first, 'signalCount')).toEqual({ key: 'signalCount', direction: 'ascending' });
    expect(nextSort(first, 'id')).toEqual({ key: 'id', direction: 'ascending' });
  });
});

describe('routes', () => {
  it('reads the views back from their links, and a malformed address as the fleet', () => {
    for (const route of [
      { view: 'fleet' },
      { view: 'signals' },
      { view: 'map' },
      { view: 'map', deviceId: 'dev/1 ä' },
      { view: 'device', deviceId: 'dev-2' },
    ] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
    expect(parseRoute('#/device/%E0%A4%A')).toEqual({ view: 'fleet' });
    expect(parseRoute('#apiKey=xk_1')).toEqual({ view: 'fleet' });
  });
});

describe('time inputs', () => {
  it('keeps seconds both ways, read as UTC', () => {
    expect(toDateTimeInput('2025-01-01T10:20:30.456Z')).toBe('2025-01-01T10:20:30');
    expect(fromDateTimeInput(toDateTimeInput('2025-01-01T10:20:30.456Z'))).toBe('2025-01-01T10:20:30.000Z');
    expect(fromDateTimeInput('2025-01-01T10:20')).toBe('2025-01-01T10:20:00.000Z');
    expect(fromDateTimeInput('not a time')).toBeUndefined();
  });
});

describe('the served dashboard settings', () => {
  it('keeps what is valid and falls back to the defaults for the rest', () => {
    expect(parseDashboardConfig(null)).toEqual(DEFAULT_DASHBOARD_CONFIG);
    expect(
      parseDashboardConfig({
        graphqlPath: '/graphql',
        tileUrl: 'https://tiles.example.com/{z}/{x}/{y}.png',
        tileAttribution: '© Example',
        onlineWindowSeconds: 600,
      }),
    ).toEqual({
      graphqlPath: '/graphql',
      tileUrl: 'https://tiles.example.com/{z}/{x}/{y}.png',
      tileAttribution: '© Example',
      onlineWindowSeconds: 600,
    });
    expect(
      parseDashboardConfig({
        graphqlPath: 'http://elsewhere/graphql',
        tileUrl: 'javascript:alert(1)',
        tileAttribution: null,
        onlineWindowSeconds: -1,
      }),
    ).toEqual(DEFAULT_DASHBOARD_CONFIG);
  });
});

/**
 * A LiveClient stand-in: records each subscription (its variables as sent: the caller may move its
 * own object on afterwards, as the signal feed does with `since`) and the retry-now listeners.
 */
function recordingLive() {
  const subscribed: Array<{ variables: Record<string, unknown>; sink: LiveSink<unknown> }> = [];
  const retryNow = new Set<() => void>();
  const live = {
    subscribe: (_document: unknown, variables: Record<string, unknown>, sink: LiveSink<unknown>) => {
      subscribed.push({ variables: { ...variables }, sink });
      return { variables, unsubscribe: () => undefined };
    },
    onReconnected: () => () => undefined,
    onRetryNow: (listener: () => void) => {
      retryNow.add(listener);
      return () => retryNow.delete(listener);
    },
  };
  const askRetryNow = (): void => {
    for (const listener of [...retryNow]) listener();
  };
  return { live, subscribed, retryNow, askRetryNow };
}

describe('the fleet store', () => {
  const at = (time: string, lat: number) => ({ time, lat, lon: 2, speed: 3 });
  const device = (lastPosition: ReturnType<typeof at>): FleetDevice =>
    ({ id: 'd1', online: true, lastPosition }) as unknown as FleetDevice;

  it('takes a position as the gateway sends it, moving back too, and subscribes again once ended', async () => {
    jest.useFakeTimers();
    try {
      /** The device as the gateway reads it now. */
      let stored = device(at('2025-01-01T10:00:00.000Z', 1));
      const http = {
        request: async (document: unknown) =>
          document === FleetPageQuery
            ? { devices: { edges: [{ cursor: 'c', node: stored }], pageInfo: { hasNextPage: false, endCursor: null } } }
            : { device: stored },
      };
      const { live, subscribed: sinks } = recordingLive();
      const feed = { onSignal: () => () => undefined };
      const store = new FleetStore(http as never, live as never, feed as never);
      store.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(store.current().devices.get('d1')?.lastPosition?.lat).toBe(1);

      // Its newest signal was deleted: the gateway sends the older position it is back at.
      stored = device(at('2025-01-01T09:00:00.000Z', 5));
      sinks[0]?.sink.next({ devicePosition: { deviceId: 'd1', signalId: 's', position: stored.lastPosition } });
      expect(store.current().devices.get('d1')?.lastPosition?.lat).toBe(5);
      await jest.advanceTimersByTimeAsync(2_000);
      expect(store.current().devices.get('d1')?.lastPosition?.lat).toBe(5);

      sinks[0]?.sink.error(new ApiError('DEPENDENCY_UNAVAILABLE', 'live updates are unavailable right now', 2));
      await jest.advanceTimersByTimeAsync(1_999);
      expect(sinks).toHaveLength(1);
      // A correction sent while the subscription was down: the reload after subscribing again wins.
      stored = device(at('2025-01-01T08:00:00.000Z', 7));
      await jest.advanceTimersByTimeAsync(1);
      expect(sinks).toHaveLength(2);
      expect(store.current().devices.get('d1')?.lastPosition?.lat).toBe(7);
      store.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('subscribes to positions again at once when the user asks to retry now', async () => {
    jest.useFakeTimers();
    try {
      const http = {
        request: async () => ({ devices: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } }),
      };
      const { live, subscribed: sinks, retryNow, askRetryNow } = recordingLive();
      const store = new FleetStore(http as never, live as never, { onSignal: () => () => undefined } as never);
      store.start();
      await jest.advanceTimersByTimeAsync(0);
      // Asked while subscribed: nothing to make again.
      askRetryNow();
      expect(sinks).toHaveLength(1);

      // A fatal close: graphql-ws gave up, and the store waits before subscribing again.
      sinks[0]?.sink.error(new ApiError('NETWORK', 'The live connection closed (4500).'));
      await jest.advanceTimersByTimeAsync(1_000);
      expect(sinks).toHaveLength(1);
      askRetryNow();
      expect(sinks).toHaveLength(2);
      // The timer it replaced does not subscribe a third time.
      await jest.advanceTimersByTimeAsync(60_000);
      expect(sinks).toHaveLength(2);
      store.stop();
      expect(retryNow.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the signal feed', () => {
  it('resumes from the last signal at once when the user asks to retry now, not again when its timer was due', async () => {
    jest.useFakeTimers();
    try {
      const { live, subscribed, retryNow, askRetryNow } = recordingLive();
      const feed = new SignalFeed(live as never);
      feed.start();
      subscribed[0]?.sink.next({ signalProcessed: { id: 'a1', deviceId: 'd1' } });
      subscribed[0]?.sink.error(new ApiError('RATE_LIMITED', 'slow down', 30));
      askRetryNow();
      expect(subscribed.map((s) => s.variables.since)).toEqual([null, 'a1']);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(subscribed).toHaveLength(2);
      feed.stop();
      expect(retryNow.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
