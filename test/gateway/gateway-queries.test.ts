import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPubSub } from '@graphql-yoga/subscription';
import type { Signal } from '../../schema';
import type { GatewayModels } from '../../gateway/db/gateway-models';
import type { RunningGateway } from '../../gateway/gateway.service';
import { buildGatewaySchema } from '../../gateway/schema/build-gateway-schema';
import { renderSchemaSdl } from '../../gateway/schema/schema-sdl';
import {
  DeviceByIdDocument,
  DevicesPageDocument,
  DeviceStatsOfDocument,
  SignalByIdDocument,
  SignalsPageDocument,
  TrackOfDocument,
  TrendsOfDocument,
  type SignalFilter,
  type SignalsPageQuery,
  type SignalOrder,
} from '../gql/graphql';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { removeSignals, storeSignals, type SignalSpec } from './support/fleet-seed';
import {
  ADMIN_KEY,
  connectModels,
  dataOf,
  errorCodeOf,
  execute,
  executeText,
  startTestGateway,
} from './support/gateway-harness';

const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function devA(i: number): SignalSpec {
  return {
    deviceId: 'dev-a',
    timeMs: T0 + i * 10 * MINUTE,
    samples: Array.from(
      { length: 5 },
      (_, k) => [45 + i * 0.01 + k * 0.001, 7 + k * 0.001, 10 + i + k] as [number, number, number],
    ),
    dataVolume: 100 + i * 10,
  };
}

function devB(i: number): SignalSpec {
  return {
    deviceId: 'dev-b',
    timeMs: T0 + 5 * MINUTE + i * 20 * MINUTE,
    samples: [
      [52.5, 13.4, 1],
      [52.501, 13.401, 2],
      [52.502, 13.402, 3],
    ],
    dataVolume: 300,
    ingestedAtMs: Date.now() - HOUR,
  };
}

function devC(i: number): SignalSpec {
  return {
    deviceId: 'dev-c',
    timeMs: T0 + 24 * HOUR + i * HOUR,
    samples: Array.from(
      { length: 10 },
      (_, k) => [-33.9 + k * 0.0005, 151.2 + k * 0.0005, 20] as [number, number, number],
    ),
    dataVolume: 1000,
  };
}

/** Every node of a walk through all pages. */
async function walk(
  url: string,
  variables: { filter?: SignalFilter; first: number; orderBy?: SignalOrder },
  between?: (page: number) => Promise<void>,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const result: SignalsPageQuery = dataOf(await execute(url, SignalsPageDocument, { ...variables, after }));
    ids.push(...result.signals.edges.map((e) => e.node.id));
    if (!result.signals.pageInfo.hasNextPage) return ids;
    after = result.signals.pageInfo.endCursor ?? null;
    if (between) await between(page);
  }
  throw new Error('pagination did not end');
}

describe('gateway queries over HTTP', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let models: GatewayModels;
  let gateway: RunningGateway;
  let seeded: Signal[];

  /** Ids of seeded signals matching `keep`, in TIME_DESC order (time, then id). */
  const expectedIds = (keep: (s: Signal) => boolean, signals: Signal[] = seeded): string[] =>
    signals
      .filter(keep)
      .sort((a, b) => b.time.getTime() - a.time.getTime() || (a._id.toHexString() < b._id.toHexString() ? 1 : -1))
      .map((s) => s._id.toHexString());

  beforeAll(async () => {
    infra = await createSuiteInfra('gateway-queries');
    disposables.add(infra, (i) => i.dispose());
    models = await connectModels(infra, disposables);
    seeded = await storeSignals(models, [
      // One signal of dev-a and of dev-c stored as before `signal_tracks`: both shapes are read.
      ...Array.from({ length: 6 }, (_, i) => ({ ...devA(i), legacyTrack: i === 1 })),
      ...Array.from({ length: 4 }, (_, i) => devB(i)),
      ...Array.from({ length: 2 }, (_, i) => ({ ...devC(i), legacyTrack: i === 1 })),
      // Same time as dev-a's first: order falls back to the id.
      { ...devB(0), timeMs: T0 },
    ]);
    gateway = await startTestGateway(infra, disposables);
  });

  afterAll(() => disposables.disposeAll());

  it('lists every signal newest first with Relay page info', async () => {
    const result = dataOf(await execute(gateway.url, SignalsPageDocument, { first: 50 }));
    expect(result.signals.edges.map((e) => e.node.id)).toEqual(expectedIds(() => true));
    expect(result.signals.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    // A page of 0 still says whether there is anything (Relay: more edges than `first`).
    const none = dataOf(await execute(gateway.url, SignalsPageDocument, { first: 0 }));
    expect(none.signals.edges).toEqual([]);
    expect(none.signals.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, endCursor: null });
    const noneBefore = dataOf(await execute(gateway.url, SignalsPageDocument, { last: 0 }));
    expect(noneBefore.signals.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const emptyFilter = { filter: { deviceIds: ['nobody'] }, first: 0 };
    expect(dataOf(await execute(gateway.url, SignalsPageDocument, emptyFilter)).signals.pageInfo.hasNextPage).toBe(
      false,
    );
    expect(result.signals.pageInfo.startCursor).toBe(result.signals.edges[0]?.cursor);
    const newest = result.signals.edges[0]?.node;
    expect(newest).toMatchObject({
      deviceId: 'dev-c',
      dataLength: 10,
      dataVolume: 1000,
      time: new Date(T0 + 25 * HOUR).toISOString(),
    });
    expect(newest?.bbox).toEqual({
      minLat: -33.9,
      maxLat: -33.9 + 9 * 0.0005,
      minLon: 151.2,
      maxLon: 151.2 + 9 * 0.0005,
    });
  });

  it('walks pages with no repeat and no skip while signals are inserted between pages', async () => {
    const inserted: Signal[] = [];
    const ids = await walk(gateway.url, { first: 4 }, async (page) => {
      // One newer than everything (already passed: must not appear) and one older than the cursor (must appear once).
      inserted.push(
        ...(await storeSignals(models, [
          { ...devA(0), timeMs: T0 + 48 * HOUR + page * MINUTE },
          { ...devA(0), timeMs: T0 - HOUR - page * MINUTE },
        ])),
      );
    });
    expect(new Set(ids).size).toBe(ids.length);
    const older = inserted.filter((s) => s.time.getTime() < T0);
    expect(ids).toEqual(expectedIds(() => true, [...seeded, ...older]));
    await removeSignals(models, inserted);
  });

  it('walks oldest first with TIME_ASC, and backward pages mirror forward ones', async () => {
    const ascending = await walk(gateway.url, { first: 5, orderBy: 'TIME_ASC' });
    expect(ascending).toEqual(expectedIds(() => true).reverse());
    const full = dataOf(await execute(gateway.url, SignalsPageDocument, { first: 50 }));
    const fifth = full.signals.edges[5];
    const back = dataOf(await execute(gateway.url, SignalsPageDocument, { last: 3, before: fifth?.cursor ?? null }));
    expect(back.signals.edges.map((e) => e.node.id)).toEqual(full.signals.edges.slice(2, 5).map((e) => e.node.id));
    expect(back.signals.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it.each<[string, SignalFilter, (s: Signal) => boolean]>([
    ['one device', { deviceIds: ['dev-b'] }, (s) => s.deviceId === 'dev-b'],
    ['several devices', { deviceIds: ['dev-a', 'dev-c'] }, (s) => s.deviceId !== 'dev-b'],
    ['no device', { deviceIds: [] }, () => false],
    [
      'a time range',
      { from: new Date(T0 + 10 * MINUTE).toISOString(), to: new Date(T0 + 45 * MINUTE).toISOString() },
      (s) => s.time.getTime() >= T0 + 10 * MINUTE && s.time.getTime() < T0 + 45 * MINUTE,
    ],
    [
      'a bounding box',
      { bbox: { minLat: 45.015, maxLat: 45.04, minLon: 6, maxLon: 8 } },
      (s) => s.deviceId === 'dev-a' && s.bbox.maxLat >= 45.015 && s.bbox.minLat <= 45.04,
    ],
    ['a data length range', { minDataLength: 4, maxDataLength: 9 }, (s) => s.dataLength >= 4 && s.dataLength <= 9],
    [
      'a data volume range',
      { minDataVolume: 120, maxDataVolume: 300 },
      (s) => s.dataVolume >= 120 && s.dataVolume <= 300,
    ],
    [
      'conditions together',
      { deviceIds: ['dev-a', 'dev-b'], minDataVolume: 130, to: new Date(T0 + 50 * MINUTE).toISOString() },
      (s) => s.deviceId !== 'dev-c' && s.dataVolume >= 130 && s.time.getTime() < T0 + 50 * MINUTE,
    ],
  ])('filters by %s', async (_name, filter, keep) => {
    const expected = expectedIds(keep);
    expect(await walk(gateway.url, { filter, first: 3 })).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ['first above the cap', { first: 201 }],
    ['a negative first', { first: -1 }],
    ['a forged cursor', { after: Buffer.from('s1:abc').toString('base64url') }],
    ['an operator object as a device id', { filter: { deviceIds: ['{"$ne":null}'] } }],
    ['an inverted bbox', { filter: { bbox: { minLat: 10, maxLat: 0, minLon: 0, maxLon: 1 } } }],
    ['a latitude out of range', { filter: { bbox: { minLat: -91, maxLat: 0, minLon: 0, maxLon: 1 } } }],
    ['from after to', { filter: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' } }],
    ['a date without a time zone', { filter: { from: '2026-01-02T00:00:00' } }],
    ['after and before together', { after: 'x', before: 'y' }],
  ])('refuses %s with BAD_USER_INPUT', async (_name, variables) => {
    const response = await executeText(
      gateway.url,
      'query($first: Int, $after: String, $before: String, $filter: SignalFilter) { signals(first: $first, after: $after, before: $before, filter: $filter) { edges { cursor } } }',
      variables,
    );
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.data?.signals ?? null).toBeNull();
  });

  it('returns one signal with its device and its points, downsampled on request', async () => {
    const target = seeded.find((s) => s.deviceId === 'dev-c') as Signal;
    const full = dataOf(await execute(gateway.url, SignalByIdDocument, { id: target._id.toHexString() }));
    expect(full.signal?.points).toHaveLength(10);
    expect(full.signal?.points[0]).toEqual({
      time: new Date(target.time.getTime()).toISOString(),
      lat: -33.9,
      lon: 151.2,
      speed: 20,
    });
    expect(full.signal?.device).toEqual({ id: 'dev-c', signalCount: 2 });
    const reduced = dataOf(
      await execute(gateway.url, SignalByIdDocument, { id: target._id.toHexString(), maxPoints: 2 }),
    );
    expect(reduced.signal?.points.map((p) => p.time)).toEqual([
      full.signal?.points[0]?.time,
      full.signal?.points[9]?.time,
    ]);
    const legacy = seeded.find((s) => s.deviceId === 'dev-c' && s.track !== undefined) as Signal;
    expect(legacy).toBeDefined();
    const legacyFull = dataOf(await execute(gateway.url, SignalByIdDocument, { id: legacy._id.toHexString() }));
    expect(legacyFull.signal?.points).toHaveLength(10);
    const missing = dataOf(await execute(gateway.url, SignalByIdDocument, { id: '0123456789abcdef01234567' }));
    expect(missing.signal).toBeNull();
  });

  it('pages devices in id order, with online status and onlineOnly', async () => {
    const first = dataOf(await execute(gateway.url, DevicesPageDocument, { first: 2 }));
    expect(first.devices.edges.map((e) => [e.node.id, e.node.online, e.node.signalCount])).toEqual([
      ['dev-a', true, 6],
      ['dev-b', false, 5],
    ]);
    const rest = dataOf(
      await execute(gateway.url, DevicesPageDocument, { first: 2, after: first.devices.pageInfo.endCursor }),
    );
    expect(rest.devices.edges.map((e) => e.node.id)).toEqual(['dev-c']);
    expect(rest.devices.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const none = dataOf(await execute(gateway.url, DevicesPageDocument, { first: 0 }));
    expect(none.devices.edges).toEqual([]);
    expect(none.devices.pageInfo.hasNextPage).toBe(true);
    const noneAfterLast = dataOf(
      await execute(gateway.url, DevicesPageDocument, { first: 0, after: rest.devices.pageInfo.endCursor }),
    );
    expect(noneAfterLast.devices.pageInfo.hasNextPage).toBe(false);
    const online = dataOf(await execute(gateway.url, DevicesPageDocument, { first: 10, onlineOnly: true }));
    expect(online.devices.edges.map((e) => e.node.id)).toEqual(['dev-a', 'dev-c']);
    const lastPosition = online.devices.edges[0]?.node.lastPosition;
    expect(lastPosition?.lat).toBeCloseTo(45.054, 9);
    expect(lastPosition?.lon).toBeCloseTo(7.004, 9);
    expect(lastPosition?.speed).toBe(19);
  });

  it('returns one device with its own filtered signal pages, and null for an unknown one', async () => {
    const result = dataOf(
      await execute(gateway.url, DeviceByIdDocument, { id: 'dev-a', first: 4, filter: { minDataVolume: 110 } }),
    );
    expect(result.device?.signals.edges.map((e) => e.node.id)).toEqual(
      expectedIds((s) => s.deviceId === 'dev-a' && s.dataVolume >= 110).slice(0, 4),
    );
    expect(result.device?.signals.pageInfo.hasNextPage).toBe(true);
    const other = dataOf(
      await execute(gateway.url, DeviceByIdDocument, { id: 'dev-a', first: 4, filter: { deviceIds: ['dev-b'] } }),
    );
    expect(other.device?.signals.edges).toEqual([]);
    expect(dataOf(await execute(gateway.url, DeviceByIdDocument, { id: 'nobody' })).device).toBeNull();
  });

  it('answers deviceStats from the rollups, lifetime and per time range', async () => {
    const a = seeded.filter((s) => s.deviceId === 'dev-a');
    const lifetime = dataOf(await execute(gateway.url, DeviceStatsOfDocument, { deviceId: 'dev-a' })).deviceStats;
    expect(lifetime.signalCount).toBe(6);
    expect(lifetime.dataVolume).toBe(a.reduce((sum, s) => sum + s.dataVolume, 0));
    expect(lifetime.maxSpeed).toBe(19);
    expect(lifetime.distanceMeters).toBeCloseTo(
      a.reduce((sum, s) => sum + s.stats.distanceMeters, 0),
      6,
    );
    const firstHour = dataOf(
      await execute(gateway.url, DeviceStatsOfDocument, {
        deviceId: 'dev-b',
        from: new Date(T0).toISOString(),
        to: new Date(T0 + HOUR).toISOString(),
      }),
    ).deviceStats;
    // dev-b's signals at T0, T0+5m, T0+25m, T0+45m fall in the first hour; T0+65m does not.
    expect(firstHour.signalCount).toBe(4);
    expect(firstHour.avgSpeed).toBe(2);
    const unknown = await execute(gateway.url, DeviceStatsOfDocument, { deviceId: 'nobody' });
    expect(errorCodeOf(unknown)).toBe('NOT_FOUND');
    const unknownInRange = await execute(gateway.url, DeviceStatsOfDocument, {
      deviceId: 'nobody',
      from: new Date(T0).toISOString(),
      to: new Date(T0 + HOUR).toISOString(),
    });
    expect(errorCodeOf(unknownInRange)).toBe('NOT_FOUND');
    const quietRange = dataOf(
      await execute(gateway.url, DeviceStatsOfDocument, {
        deviceId: 'dev-c',
        from: new Date(T0).toISOString(),
        to: new Date(T0 + HOUR).toISOString(),
      }),
    ).deviceStats;
    expect(quietRange.signalCount).toBe(0);
    // Ranges of up to 7 UTC days are read day by day, longer ones as one range: both count the same.
    const statsOfDevC = async (fromMs: number) =>
      dataOf(
        await execute(gateway.url, DeviceStatsOfDocument, {
          deviceId: 'dev-c',
          from: new Date(fromMs).toISOString(),
          to: new Date(T0 + 48 * HOUR).toISOString(),
        }),
      ).deviceStats;
    const byDay = await statsOfDevC(T0 + 24 * HOUR + 30 * 60_000);
    const byRange = await statsOfDevC(T0 - 30 * 24 * HOUR + 30 * 60_000);
    expect(byDay.signalCount).toBe(2);
    expect(byRange).toEqual(byDay);
  });

  it('answers trends as dense hourly and daily series, per device and fleet-wide', async () => {
    const hourly = dataOf(
      await execute(gateway.url, TrendsOfDocument, {
        from: new Date(T0).toISOString(),
        to: new Date(T0 + 3 * HOUR).toISOString(),
        bucket: 'HOUR',
      }),
    ).trends;
    expect(hourly.map((p) => [p.bucketStart, p.count])).toEqual([
      [new Date(T0).toISOString(), 10],
      [new Date(T0 + HOUR).toISOString(), 1],
      [new Date(T0 + 2 * HOUR).toISOString(), 0],
    ]);
    const daily = dataOf(
      await execute(gateway.url, TrendsOfDocument, {
        from: new Date(T0).toISOString(),
        to: new Date(T0 + 48 * HOUR).toISOString(),
        bucket: 'DAY',
        deviceId: 'dev-c',
      }),
    ).trends;
    expect(daily.map((p) => [p.bucketStart, p.count, p.dataVolume])).toEqual([
      [new Date(Date.UTC(2026, 0, 10)).toISOString(), 0, 0],
      [new Date(Date.UTC(2026, 0, 11)).toISOString(), 2, 2000],
      [new Date(Date.UTC(2026, 0, 12)).toISOString(), 0, 0],
    ]);
    const tooLong = await execute(gateway.url, TrendsOfDocument, {
      from: '2000-01-01T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
      bucket: 'HOUR',
    });
    expect(errorCodeOf(tooLong)).toBe('BAD_USER_INPUT');
    // As deviceStats: a device never heard of is NOT_FOUND, one quiet over the range a series of zeros.
    const range = {
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 2 * HOUR).toISOString(),
      bucket: 'HOUR' as const,
    };
    expect(errorCodeOf(await execute(gateway.url, TrendsOfDocument, { ...range, deviceId: 'nobody' }))).toBe(
      'NOT_FOUND',
    );
    const quiet = dataOf(
      await execute(gateway.url, TrendsOfDocument, {
        ...range,
        from: new Date(T0 - 24 * HOUR).toISOString(),
        to: new Date(T0 - 22 * HOUR).toISOString(),
        deviceId: 'dev-c',
      }),
    ).trends;
    expect(quiet.map((p) => p.count)).toEqual([0, 0]);
  });

  it('returns a device track in time order, limited to the range and downsampled to maxPoints', async () => {
    const all = dataOf(
      await execute(gateway.url, TrackOfDocument, {
        deviceId: 'dev-a',
        from: new Date(T0).toISOString(),
        to: new Date(T0 + HOUR).toISOString(),
      }),
    ).track;
    expect(all).toHaveLength(30);
    const times = all.map((p) => Date.parse(p.time));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    const clipped = dataOf(
      await execute(gateway.url, TrackOfDocument, {
        deviceId: 'dev-a',
        from: new Date(T0 + 2000).toISOString(),
        to: new Date(T0 + 10 * MINUTE + 1000).toISOString(),
      }),
    ).track;
    expect(clipped.map((p) => Date.parse(p.time))).toEqual([
      T0 + 2000,
      T0 + 3000,
      T0 + 4000,
      T0 + 10 * MINUTE,
      T0 + 10 * MINUTE + 1000,
    ]);
    const reduced = dataOf(
      await execute(gateway.url, TrackOfDocument, {
        deviceId: 'dev-a',
        from: new Date(T0).toISOString(),
        to: new Date(T0 + HOUR).toISOString(),
        maxPoints: 8,
      }),
    ).track;
    expect(reduced).toHaveLength(8);
    expect(reduced[0]).toEqual(all[0]);
    expect(reduced[7]).toEqual(all[29]);
    // [from, to] is closed: one instant is a range too.
    const instant = new Date(T0 + 3000).toISOString();
    const atInstant = dataOf(
      await execute(gateway.url, TrackOfDocument, { deviceId: 'dev-a', from: instant, to: instant }),
    ).track;
    expect(atInstant.map((p) => Date.parse(p.time))).toEqual([T0 + 3000]);
    const reversed = await execute(gateway.url, TrackOfDocument, {
      deviceId: 'dev-a',
      from: new Date(T0 + 1).toISOString(),
      to: new Date(T0).toISOString(),
    });
    expect(errorCodeOf(reversed)).toBe('BAD_USER_INPUT');
    const bad = await execute(gateway.url, TrackOfDocument, {
      deviceId: 'dev-a',
      from: new Date(T0).toISOString(),
      to: new Date(T0 + HOUR).toISOString(),
      maxPoints: 1,
    });
    expect(errorCodeOf(bad)).toBe('BAD_USER_INPUT');
  });

  it('refuses a too-deep query with QUERY_TOO_COMPLEX (HTTP 400)', async () => {
    const nested =
      'signals(first: 1) { edges { node { device { signals(first: 1) { edges { node { device { signals(first: 1) { edges { node { device { id } } } } } } } } } } } }';
    const response = await executeText(gateway.url, `{ ${nested} }`);
    expect(response.status).toBe(400);
    expect(errorCodeOf(response)).toBe('QUERY_TOO_COMPLEX');
    expect(response.errors?.[0]?.extensions).toMatchObject({ measure: 'depth' });
  });

  it('refuses a too-complex query with QUERY_TOO_COMPLEX (HTTP 400)', async () => {
    const response = await executeText(
      gateway.url,
      '{ devices(first: 200) { edges { node { signals(first: 200) { edges { node { id points { lat } } } } } } } }',
    );
    expect(response.status).toBe(400);
    expect(errorCodeOf(response)).toBe('QUERY_TOO_COMPLEX');
    expect(response.errors?.[0]?.extensions).toMatchObject({ measure: 'complexity' });
  });

  it('refuses documents with too many aliases or tokens with QUERY_TOO_COMPLEX', async () => {
    const aliases = Array.from({ length: 51 }, (_, i) => `a${i}: me { id }`).join(' ');
    expect(errorCodeOf(await executeText(gateway.url, `{ ${aliases} }`))).toBe('QUERY_TOO_COMPLEX');
    const tokens = `{ me { ${Array.from({ length: 5001 }, () => 'id').join(' ')} } }`;
    expect(errorCodeOf(await executeText(gateway.url, tokens))).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a missing or wrong API key with HTTP 401 and UNAUTHENTICATED', async () => {
    for (const key of [null, 'not-a-key']) {
      const response = await execute(gateway.url, SignalsPageDocument, { first: 1 }, key);
      expect(response.status).toBe(401);
      expect(errorCodeOf(response)).toBe('UNAUTHENTICATED');
    }
  });

  it('hides unexpected failures as INTERNAL_SERVER_ERROR and answers invalid documents with BAD_USER_INPUT', async () => {
    const invalid = await executeText(gateway.url, '{ signals { nope } }');
    expect(errorCodeOf(invalid)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(invalid.errors)).not.toMatch(/stack|at .*\.ts/);
  });

  it('answers healthz, readyz and metrics with operation counts', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ dependencies: { mongo: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_operations_total\{operation="SignalsPage",type="query",outcome="success"\} \d+/);
    expect(metrics).toMatch(/gateway_operation_duration_seconds_count\{operation="SignalsPage",type="query"\} \d+/);
  });

  it('sends secure headers and no CORS grant to an origin outside the allowlist', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a GET query without a preflight header (CSRF prevention)', async () => {
    const response = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { 'x-api-key': ADMIN_KEY },
    });
    expect(response.status).toBe(400);
  });

  it('refuses a body over the size limit with 413 and malformed JSON with 400, both BAD_USER_INPUT', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY };
    const huge = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: `{ me { id } } #${'x'.repeat(3 * 1024 * 1024)}` }),
    });
    expect(huge.status).toBe(413);
    expect(
      ((await huge.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('BAD_USER_INPUT');
    const malformed = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body: '{"query": ' });
    expect(malformed.status).toBe(400);
    expect(
      ((await malformed.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('BAD_USER_INPUT');
  });

  it('serves the offline GraphiQL page to a browser at GET /graphql without a key', async () => {
    const response = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).not.toMatch(/https?:\/\/(unpkg|cdn|jsdelivr)/);
  });

  it('emits the committed SDL (no drift)', async () => {
    const committed = readFileSync(path.resolve(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    expect(renderSchemaSdl(await buildGatewaySchema({ pubSub: createPubSub() }))).toBe(committed);
  });
});
