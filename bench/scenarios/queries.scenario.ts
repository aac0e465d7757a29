import type { Connection } from 'mongoose';
import { decodeTrack, FLEET_DEVICE_ID, ROLLUP_REPAIRS_COLLECTION } from '../../schema';
import { MAX_DAYS_READ_BY_DAY, utcDaysBetween } from '../../gateway/db/utc-days';
import { SIGNAL_SUMMARY_PROJECTION } from '../../gateway/loaders/gateway-loaders';
import { decodeSignalCursor } from '../../gateway/pagination/signal-cursor';
import { validateSignalFilter } from '../../gateway/signals/signal-query';
import { driverSignalPage } from '../lib/driver-signal-page';
import { trackDaysFor, type TrackDayLookups } from '../../gateway/track/track-days';
import { mapWithConcurrency } from '../../gateway/db/map-with-concurrency';
import { stopAll, type ServiceProcess } from '../lib/child-process';
import { LatencyRecorder, type LatencySummary } from '../lib/histogram';
import { KeepAliveClient } from '../lib/http-client';
import { connectBenchDb, resetVhost } from '../lib/infra';
import { loadSampleTemplate } from '../lib/sample';
import { processCpuMs } from '../lib/cpu';
import { cpuGroupsFor, GroupCpuMeter, type Scenario } from '../lib/scenario';
import { profileTables, startServices } from '../lib/services';
import { Seeder } from '../seed';
import { waitForQuietInfrastructure } from '../lib/quiet-infrastructure';

const DAY_MS = 86_400_000;
const DEVICES = 100;
const SIGNAL_FIELDS =
  'id deviceId time dataLength dataVolume stats { distanceMeters maxSpeed avgSpeed durationMs } bbox { minLat maxLat minLon maxLon }';
// What the gateway's page reader fetches, so both sides read and decode the same documents.
const SIGNAL_PROJECTION = SIGNAL_SUMMARY_PROJECTION;

interface QueryCase {
  name: string;
  /** Is it served by rollups (goal p99 < 20 ms at any size)? */
  rollup: boolean;
  graphql: () => Promise<unknown>;
  driver: () => Promise<unknown>;
  /** Signal ids of each side's answer, compared once before timing: both sides must read the same page. */
  idsOf?: { graphql: (answer: unknown) => string[]; driver: (answer: unknown) => string[] };
}

/** The ids of a `signals` connection's nodes; of a driver page's first 50 documents. */
const SIGNAL_PAGE_IDS: NonNullable<QueryCase['idsOf']> = {
  graphql: (answer) =>
    (answer as { signals: { edges: Array<{ node: { id: string } }> } }).signals.edges.map((e) => e.node.id),
  driver: (answer) => (answer as Array<{ _id: unknown }>).slice(0, 50).map((doc) => String(doc._id)),
};

/** CPU spent per request over a pair's timed requests, ms. */
interface CpuPerRequest {
  /** The gateway process (/proc utime + stime) over each GraphQL request's interval, per request. */
  gatewayMs: number;
  /** The generator's own CPU (`process.cpuUsage`) around each driver-side operation. */
  driverSideMs: number;
}

interface QueryRow {
  step: number;
  name: string;
  graphql: LatencySummary;
  driver: LatencySummary;
  cpu: CpuPerRequest;
  bound: number;
  met: boolean;
  rollupMet: boolean | null;
}

/** How long each pair warms up before it is timed: up to this many requests per side, or this long. */
interface WarmUp {
  pairs: number;
  maxMs: number;
}

/**
 * Sequential timings of the GraphQL query and of the same finds through the driver, alternated
 * request by request so both sides see the same machine load (it is shared, and wanders): up to
 * `iterations` each, fewer when `maxMs` (for both sides together) ran out first, but at least
 * `minIterations` unless `hardMaxMs` ran out (a p99 of a few dozen requests is their maximum).
 * Both sides first run untimed (`warmUp`): the gateway is a fresh process, whose code for a new
 * query shape V8 optimizes only after some hundred requests, while the driver side runs in the
 * generator, hot since seeding. Timing the first requests measured the compiler, not the gateway.
 */
async function measurePair(
  gatewayPid: number,
  iterations: number,
  minIterations: number,
  warmUp: WarmUp,
  maxMs: number,
  hardMaxMs: number,
  graphqlOperation: () => Promise<unknown>,
  driverOperation: () => Promise<unknown>,
): Promise<{ graphql: LatencySummary; driver: LatencySummary; cpu: CpuPerRequest }> {
  const warmUpStartedAt = performance.now();
  for (let index = 0; index < warmUp.pairs && performance.now() - warmUpStartedAt < warmUp.maxMs; index += 1) {
    await graphqlOperation();
    await driverOperation();
  }
  const graphql = new LatencyRecorder();
  const driver = new LatencyRecorder();
  const timed = async (operation: () => Promise<unknown>, recorder: LatencyRecorder): Promise<void> => {
    const startedAt = performance.now();
    await operation();
    recorder.recordMs(performance.now() - startedAt);
  };
  // CPU is summed over each request's own interval, so neither side's figure takes in the other's
  // requests (the gateway idles through the driver side's, and it is not quite idle: timers, monitors).
  let gatewayCpuMs = 0;
  const timedGraphql = async (): Promise<void> => {
    const before = processCpuMs(gatewayPid) ?? Number.NaN;
    await timed(graphqlOperation, graphql);
    gatewayCpuMs += (processCpuMs(gatewayPid) ?? Number.NaN) - before;
  };
  let driverSideCpuMicros = 0;
  const timedDriver = async (): Promise<void> => {
    const before = process.cpuUsage();
    await timed(driverOperation, driver);
    const used = process.cpuUsage(before);
    driverSideCpuMicros += used.user + used.system;
  };
  const startedAt = performance.now();
  const goOn = (index: number): boolean => {
    const elapsed = performance.now() - startedAt;
    if (index >= iterations || elapsed >= hardMaxMs) return false;
    return index < minIterations || elapsed < maxMs;
  };
  for (let index = 0; goOn(index); index += 1) {
    // Which side goes first alternates too, so neither always follows the other's cache warming.
    if (index % 2 === 0) {
      await timedGraphql();
      await timedDriver();
    } else {
      await timedDriver();
      await timedGraphql();
    }
  }
  const graphqlSummary = graphql.summary();
  const driverSummary = driver.summary();
  const perRequest = (totalMs: number, count: number): number =>
    count > 0 ? Math.round((totalMs / count) * 100) / 100 : Number.NaN;
  return {
    graphql: graphqlSummary,
    driver: driverSummary,
    cpu: {
      gatewayMs: perRequest(gatewayCpuMs, graphqlSummary.count),
      driverSideMs: perRequest(driverSideCpuMicros / 1000, driverSummary.count),
    },
  };
}

/** Scenario 4: the GraphQL queries dashboards run, beside the same finds through the driver, as the signal count grows. */
export const queriesScenario: Scenario = async ({ config, options, profile, log }) => {
  const largest = options.signals;
  const steps = largest > 10_000 ? [10_000, largest] : [Math.max(1_000, Math.floor(largest / 5)), largest];
  // A p99 is the 10th slowest of 1,000 requests but the 2nd or 3rd of 200, where one stall of the
  // shared machine decides it: the fast rows take 1,000 per side, the slow ones as many as 15 s allow.
  const iterations = options.quick ? 100 : 1_000;
  const minIterations = options.quick ? 50 : 300;
  const maxMsPerSide = options.quick ? 4_000 : 15_000;
  const hardMaxMsPerSide = options.quick ? 10_000 : 45_000;
  const warmUp: WarmUp = { pairs: options.quick ? 50 : 200, maxMs: options.quick ? 1_000 : 3_000 };
  await resetVhost(config);
  const connection: Connection = await connectBenchDb(config);
  await connection.dropDatabase();
  const seeder = new Seeder(connection, Seeder.layoutFor(DEVICES), loadSampleTemplate(config.samplePath));
  await seeder.prepare();
  const client = new KeepAliveClient(4);
  const rows: QueryRow[] = [];
  const seedRates: Array<{ step: number; signalsPerSecond: number; seconds: number }> = [];
  const cpuPerStep: Array<{ step: number; cpu: Record<string, number> }> = [];
  const floors: Array<{ step: number; graphql: LatencySummary; driver: LatencySummary; cpu: CpuPerRequest }> = [];
  let services: Record<string, ServiceProcess> = {};
  let seeded = 0;
  try {
    for (const step of steps) {
      log(`seeding to ${step} signals`);
      const seedStartedAt = performance.now();
      const rate = await seeder.seedSignals(seeded, step);
      await seeder.writeRollups();
      seedRates.push({ step, signalsPerSecond: rate, seconds: (performance.now() - seedStartedAt) / 1000 });
      // Seeding leaves PostgreSQL work behind (autovacuum, checkpoints) that would slow the first rows.
      await waitForQuietInfrastructure();
      seeded = step;
      if (!services.gateway) services = await startServices(config, ['gateway'], {}, profile);
      const gatewayUrl = services.gateway!.url;
      const perDevice = step / DEVICES;
      const layout = seeder.layout;
      const deviceId = layout.deviceIds[7]!;
      const to = new Date(layout.newestTime + DAY_MS / 24);
      const from = new Date(to.getTime() - DAY_MS);
      const gql = <T>(query: string, variables: Record<string, unknown>): Promise<T> =>
        client.graphql<T>(gatewayUrl, config.adminApiKey, query, variables);
      const signals = connection.collection('signals');
      const devices = connection.collection('devices');
      const buckets = connection.collection('hour_buckets');
      const tracks = connection.collection('signal_tracks');
      const repairMarkers = connection.collection(ROLLUP_REPAIRS_COLLECTION);
      // The gateway's own decision of a track's days, its lookups through the driver (the seed
      // records both backfills as run).
      const trackDayLookups: TrackDayLookups = {
        daysReadable: async () => true,
        rollupsLag: async (subject) => (await repairMarkers.countDocuments({ deviceIds: subject }, { limit: 1 })) > 0,
        longestSignalSpanMs: async (subject) =>
          (await devices.findOne({ _id: subject as never }, { projection: { longestSignalSpanMs: 1 } }))
            ?.longestSignalSpanMs as number | undefined,
      };
      // The finds the gateway issues for a range of a few days: one `{deviceId, day}` equality per UTC day.
      const rangeDays = utcDaysBetween(from.getTime(), to.getTime(), MAX_DAYS_READ_BY_DAY);
      const bucketsByDay = async (subject: string) =>
        (await Promise.all(rangeDays.map((day) => buckets.find({ deviceId: subject, day }).toArray())))
          .flat()
          .filter((bucket) => bucket.hourStart >= from && bucket.hourStart < to);

      // The deep page starts after the signal at this depth (a multiple of the page size).
      const half = Math.max(10, Math.floor(perDevice / 2 / 10) * 10);
      const walkPageSize = Math.min(50, half);
      const depth = Math.min(500, Math.floor(half / walkPageSize) * walkPageSize);
      let afterCursor: string | null = null;
      let afterNode: { id: string; time: string } | undefined;
      for (let page = 0; page < depth / walkPageSize; page += 1) {
        const data: {
          signals: {
            edges: Array<{ cursor: string; node: { id: string; time: string } }>;
            pageInfo: { endCursor: string | null };
          };
        } = await gql(
          'query Page($d: ID!, $first: Int!, $after: String) { signals(filter: { deviceIds: [$d] }, first: $first, after: $after) { edges { cursor node { id time } } pageInfo { endCursor } } }',
          { d: deviceId, first: walkPageSize, after: afterCursor },
        );
        afterCursor = data.signals.pageInfo.endCursor;
        afterNode = data.signals.edges[data.signals.edges.length - 1]?.node;
      }
      if (!afterCursor || !afterNode) throw new Error(`could not page ${depth} deep into ${deviceId}`);
      const deviceFilter = validateSignalFilter({ deviceIds: [deviceId] });
      const pageFilter = validateSignalFilter({ deviceIds: [deviceId], from, to });
      // Track: the device's 18 newest signals × 563 points ≈ 10,000 points.
      const trackTo = new Date(seeder.timeOf(7, 0) + 1);
      const trackFromInclusive = new Date(seeder.timeOf(7, 17));

      const cases: QueryCase[] = [
        {
          name: 'signals page (first 50, one device + 24 h)',
          rollup: false,
          idsOf: SIGNAL_PAGE_IDS,
          graphql: () =>
            gql(
              `query S($d: ID!, $from: DateTime!, $to: DateTime!) { signals(filter: { deviceIds: [$d], from: $from, to: $to }, first: 50) { edges { cursor node { ${SIGNAL_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
              { d: deviceId, from: from.toISOString(), to: to.toISOString() },
            ),
          driver: () => driverSignalPage(signals, pageFilter, undefined, 50, SIGNAL_PROJECTION, Date.now()),
        },
        {
          name: `deep page (cursor after ${depth}, first 50)`,
          rollup: false,
          idsOf: SIGNAL_PAGE_IDS,
          graphql: () =>
            gql(
              `query D($d: ID!, $after: String) { signals(filter: { deviceIds: [$d] }, first: 50, after: $after) { edges { cursor node { ${SIGNAL_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
              { d: deviceId, after: afterCursor },
            ),
          driver: () =>
            driverSignalPage(signals, deviceFilter, decodeSignalCursor(afterCursor), 50, SIGNAL_PROJECTION, Date.now()),
        },
        {
          name: 'devices page (first 50)',
          rollup: false,
          graphql: () =>
            gql(
              'query V { devices(first: 50) { edges { cursor node { id firstSeen lastSeen online signalCount totalDistanceMeters maxSpeed lastPosition { time lat lon speed } } } pageInfo { hasNextPage endCursor } } }',
              {},
            ),
          driver: () => devices.find({}).sort({ _id: 1 }).limit(51).toArray(),
        },
        {
          name: 'deviceStats (one device, 24 h)',
          rollup: true,
          graphql: () =>
            gql(
              'query T($d: ID!, $from: DateTime, $to: DateTime) { deviceStats(deviceId: $d, from: $from, to: $to) { signalCount dataVolume distanceMeters maxSpeed avgSpeed firstSeen lastSeen } }',
              { d: deviceId, from: from.toISOString(), to: to.toISOString() },
            ),
          driver: () => bucketsByDay(deviceId),
        },
        {
          name: 'trends (fleet, 24 h hourly)',
          rollup: true,
          graphql: () =>
            gql(
              'query R($from: DateTime!, $to: DateTime!) { trends(from: $from, to: $to, bucket: HOUR) { bucketStart count dataVolume distanceMeters maxSpeed } }',
              { from: from.toISOString(), to: to.toISOString() },
            ),
          driver: () => bucketsByDay(FLEET_DEVICE_ID),
        },
        {
          name: 'track (≈10,000 points → maxPoints 500)',
          rollup: false,
          graphql: () =>
            gql(
              'query K($d: ID!, $from: DateTime!, $to: DateTime!) { track(deviceId: $d, from: $from, to: $to, maxPoints: 500) { time lat lon speed } }',
              { d: deviceId, from: trackFromInclusive.toISOString(), to: trackTo.toISOString() },
            ),
          driver: async () => {
            // The gateway's finds: whether a rollup write of the device is under way, the device's
            // longest span, the signals that reach into the range (by day when that span bounds
            // them), then each track by `_id`, eight at a time.
            const days = (await trackDaysFor(
              trackDayLookups,
              deviceId,
              trackFromInclusive.getTime(),
              trackTo.getTime(),
            )) ?? [undefined];
            // Two days at a time as the gateway reads them; its keyset batches of 100 are one
            // batch here (≈18 signals), and its range filter and repeat removal are CPU, not finds.
            const found = (
              await mapWithConcurrency(days, 2, (day) =>
                signals
                  .find(
                    {
                      deviceId,
                      ...(day === undefined ? {} : { day }),
                      time: { $lte: trackTo },
                      'end.time': { $gte: trackFromInclusive },
                    },
                    { projection: { time: 1, trackId: 1 } },
                  )
                  .sort({ time: 1, _id: 1 })
                  .toArray(),
              )
            ).flat();
            const packed: Uint8Array[] = new Array(found.length);
            let next = 0;
            await Promise.all(
              Array.from({ length: 8 }, async () => {
                while (next < found.length) {
                  const index = next++;
                  const stored = await tracks.findOne({ _id: found[index]!.trackId }, { projection: { track: 1 } });
                  packed[index] = (stored?.track as { buffer: Uint8Array }).buffer;
                }
              }),
            );
            return packed.flatMap((bytes) => decodeTrack(bytes));
          },
        },
      ];
      const measureStep = (graphqlSide: () => Promise<unknown>, driverSide: () => Promise<unknown>) =>
        measurePair(
          services.gateway!.pid,
          iterations,
          minIterations,
          warmUp,
          2 * maxMsPerSide,
          2 * hardMaxMsPerSide,
          graphqlSide,
          driverSide,
        );
      const meter = new GroupCpuMeter(cpuGroupsFor({ gateway: services.gateway!.pid, generator: process.pid })).start();
      // The gateway's own share of every row below: a request that reads nothing, beside a bare
      // database round trip, under the same load.
      log(`${step}: gateway floor`);
      const db = connection.db!;
      floors.push({
        step,
        ...(await measureStep(
          () => gql('{ __typename }', {}),
          () => db.command({ ping: 1 }),
        )),
      });
      for (const queryCase of cases) {
        log(`${step}: ${queryCase.name}`);
        if (queryCase.idsOf) {
          const graphqlIds = queryCase.idsOf.graphql(await queryCase.graphql());
          const driverIds = queryCase.idsOf.driver(await queryCase.driver());
          if (graphqlIds.length === 0 || graphqlIds.join() !== driverIds.join())
            throw new Error(`${queryCase.name}: the driver side read another page than the gateway`);
        }
        const { graphql, driver, cpu } = await measureStep(queryCase.graphql, queryCase.driver);
        log(
          `  GraphQL p50/p99 ${graphql.p50}/${graphql.p99} ms (n=${graphql.count}), driver ${driver.p50}/${driver.p99} ms (n=${driver.count})`,
        );
        const bound = 1.1 * driver.p99 + 2;
        rows.push({
          step,
          name: queryCase.name,
          graphql,
          driver,
          cpu,
          bound,
          met: graphql.p99 <= bound,
          rollupMet: queryCase.rollup ? graphql.p99 < 20 : null,
        });
      }
      cpuPerStep.push({ step, cpu: meter.stop() });
    }
  } finally {
    client.close();
    await stopAll(Object.values(services));
    await connection.close();
  }
  const profiles = profileTables(profile, ['gateway']);
  const finalStep = steps[steps.length - 1]!;
  const finalRows = rows.filter((row) => row.step === finalStep);
  const allMet = finalRows.length > 0 && rows.every((row) => row.met && row.rollupMet !== false);
  const missed = rows.filter((row) => !row.met || row.rollupMet === false).map((row) => `${row.name} @ ${row.step}`);
  const first = steps[0]!;
  return {
    id: 'queries',
    title: '4. Queries',
    goal: 'GraphQL p99 ≤ 1.1 × driver p99 + 2 ms; deviceStats/trends p99 < 20 ms',
    outcome: allMet ? 'met' : 'missed',
    headline: `at ${finalStep.toLocaleString('en-US')} signals: ${finalRows.map((row) => `${row.name.split(' (')[0]} ${row.graphql.p99}/${row.driver.p99} ms`).join('; ')} (GraphQL/driver p99)${missed.length > 0 ? `; missed: ${missed.join(', ')}` : ''}`,
    tables: [
      {
        title: `Sequential requests, GraphQL and driver alternated (up to ${iterations} per side, or ${(2 * maxMsPerSide) / 1000} s for both but at least ${minIterations} per side within ${(2 * hardMaxMsPerSide) / 1000} s, after up to ${warmUp.pairs} untimed pairs or ${warmUp.maxMs / 1000} s of warm-up), ms; bound = 1.1 × driver p99 + 2`,
        columns: [
          'signals',
          'query',
          'n (GraphQL / driver)',
          'GraphQL p50',
          'GraphQL p99',
          'driver p50',
          'driver p99',
          'bound',
          'within bound',
          'rollup p99 < 20 ms',
          'CPU ms per request: gateway / driver side',
        ],
        rows: rows.map((row) => [
          row.step,
          row.name,
          `${row.graphql.count} / ${row.driver.count}`,
          row.graphql.p50,
          row.graphql.p99,
          row.driver.p50,
          row.driver.p99,
          row.bound,
          row.met ? 'yes' : 'NO',
          row.rollupMet === null ? '' : row.rollupMet ? 'yes' : 'NO',
          `${row.cpu.gatewayMs} / ${row.cpu.driverSideMs}`,
        ]),
      },
      {
        title:
          'Gateway floor: GraphQL `{ __typename }` (HTTP, API key, Redis rate limit, Apollo; no database) beside a driver `ping`, alternated the same way, ms',
        columns: [
          'signals',
          'n (GraphQL / driver)',
          'GraphQL p50',
          'GraphQL p99',
          'driver ping p50',
          'driver ping p99',
          'CPU ms per request: gateway / driver side',
        ],
        rows: floors.map((floor) => [
          floor.step,
          `${floor.graphql.count} / ${floor.driver.count}`,
          floor.graphql.p50,
          floor.graphql.p99,
          floor.driver.p50,
          floor.driver.p99,
          `${floor.cpu.gatewayMs} / ${floor.cpu.driverSideMs}`,
        ]),
      },
      {
        title: `Growth ${first.toLocaleString('en-US')} → ${finalStep.toLocaleString('en-US')} signals (GraphQL p99 ratio; the deep page has none: its cursor is deeper at the larger size)`,
        columns: ['query', `p99 @ ${first}`, `p99 @ ${finalStep}`, 'growth ×'],
        rows: rows
          .filter((row) => row.step === first)
          .map((row) => {
            const later = rows.find((other) => other.step === finalStep && other.name === row.name);
            return [
              row.name,
              row.graphql.p99,
              later?.graphql.p99 ?? null,
              later ? Math.round((later.graphql.p99 / row.graphql.p99) * 100) / 100 : null,
            ];
          }),
      },
      {
        title:
          'Seeding (bench/seed.ts: driver insertMany of 500, two batches in flight; rollups recomputed and replaced)',
        columns: ['up to signals', 'signals/s', 'seconds'],
        rows: seedRates.map((seed) => [seed.step, seed.signalsPerSecond, seed.seconds]),
      },
      ...profiles.tables,
    ],
    notes: [
      `${DEVICES} devices; each seeded signal is the real sample's 563-point track (binary), 20 min apart per device, so "24 h" holds 72 signals per device at every size and a larger seed only adds older history.`,
      `Driver side: the same finds through the mongodb driver from the generator process (no GraphQL, no HTTP); deviceStats/trends read the hour buckets, track decodes the binary tracks (no downsampling).`,
      "CPU per request: the gateway process's CPU (/proc utime + stime, 10 ms ticks) summed over the interval of each timed GraphQL request, divided by their number; the driver side's is the generator's own CPU (`process.cpuUsage`) around each driver operation. The gap between them is what HTTP, the API key check, the rate limit, GraphQL and the handling of results add.",
      `CPU during the query steps: ${cpuPerStep.map((entry) => `${entry.step}: ${JSON.stringify(entry.cpu)}`).join('; ')}.`,
      ...profiles.notes,
    ],
    data: { rows, floors, seedRates, cpuPerStep, profiles: profiles.data },
  };
};
