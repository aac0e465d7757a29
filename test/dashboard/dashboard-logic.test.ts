import { parseDashboardConfig, DEFAULT_DASHBOARD_CONFIG } from '../../gateway/dashboard/src/dashboard-config';
import { nextSort, sortFleet } from '../../gateway/dashboard/src/fleet/fleet-sort';
import { RecentIds } from '../../gateway/dashboard/src/live/recent-ids';
import { boundsBetween, fitProjection, scaleBarFor } from '../../gateway/dashboard/src/map/projection';
import {
  EMPTY_FILTER_FORM,
  mergeIntoFirstPage,
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

  it('leaves a signal older than the page to the later pages, and never adds one twice', () => {
    expect(mergeIntoFirstPage(rows, signal('a', '2025-01-01T01:00:00.000Z'), true)).toBeNull();
    expect(mergeIntoFirstPage(rows, signal('a', '2025-01-01T01:00:00.000Z'), false)?.map((row) => row.id)).toEqual([
      'c',
      'b',
      'a',
    ]);
    expect(mergeIntoFirstPage(rows, signal('c', '2025-01-01T03:00:00.000Z'), false)).toBeNull();
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

describe('the live feed bookkeeping', () => {
  it('passes an id once and forgets the oldest beyond its capacity', () => {
    const ids = new RecentIds(2);
    expect(ids.add('a')).toBe(true);
    expect(ids.add('a')).toBe(false);
    ids.add('b');
    ids.add('c');
    expect(ids.add('b')).toBe(false);
    expect(ids.add('a')).toBe(true);
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
