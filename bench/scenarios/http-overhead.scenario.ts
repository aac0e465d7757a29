import path from 'node:path';
import autocannon from 'autocannon';
import { forkBenchChild, stopAll, type BenchChild, type ServiceProcess } from '../lib/child-process';
import { connectBenchDb, resetVhost } from '../lib/infra';
import { ratio } from '../lib/report';
import { loadSampleTemplate } from '../lib/sample';
import { cpuGroupsFor, GroupCpuMeter, type Scenario } from '../lib/scenario';
import { profileTables, startServices } from '../lib/services';
import { Seeder } from '../seed';

const CONNECTIONS = 10;
const SEEDED_SIGNALS = 2_000;

interface CannonRow {
  target: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  cpu: Record<string, number>;
}

/** Scenario 5: GraphQL `signal(id)` requests/s beside a bare HTTP handler doing the same find (autocannon). */
export const httpOverheadScenario: Scenario = async ({ config, options, profile, log }) => {
  const duration = options.quick ? 5 : 10;
  await resetVhost(config);
  const connection = await connectBenchDb(config);
  await connection.dropDatabase();
  const seeder = new Seeder(connection, Seeder.layoutFor(100), loadSampleTemplate(config.samplePath));
  await seeder.prepare();
  await seeder.seedSignals(0, SEEDED_SIGNALS);
  await seeder.writeRollups();
  const signalId = String(
    (await connection.collection('signals').findOne({ deviceId: seeder.layout.deviceIds[3] }))?._id,
  );
  await connection.close();
  let services: Record<string, ServiceProcess> = {};
  let bare: BenchChild | undefined;
  const rows: CannonRow[] = [];
  try {
    services = await startServices(config, ['gateway'], {}, profile);
    bare = await forkBenchChild({ name: 'bare-server', script: path.join(__dirname, '..', 'bare-server.js') });
    const query = JSON.stringify({
      query:
        'query One($id: ID!) { signal(id: $id) { id deviceId time dataLength dataVolume stats { distanceMeters maxSpeed avgSpeed durationMs } bbox { minLat maxLat minLon maxLon } } }',
      variables: { id: signalId },
    });
    const targets: Array<{ target: string; pid: number; options: Parameters<typeof autocannon>[0] }> = [
      {
        target: 'bare HTTP handler (node:http + driver findOne)',
        pid: bare.pid,
        options: { url: `${String(bare.ready.url)}/signal/${signalId}`, method: 'GET' },
      },
      {
        target: 'GraphQL signal(id) (gateway: Apollo + auth + rate limit + cost checks)',
        pid: services.gateway!.pid,
        options: {
          url: `${services.gateway!.url}/graphql`,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': config.adminApiKey },
          body: query,
        },
      },
    ];
    for (const target of targets) {
      log(target.target);
      // Every answer must be this one: a 200 carrying GraphQL errors is not a served request.
      const expectBody = await answerOf(target.options);
      await autocannon({ ...target.options, connections: CONNECTIONS, duration: 2 });
      const meter = new GroupCpuMeter(
        cpuGroupsFor({ server: target.pid, 'generator (autocannon)': process.pid }),
      ).start();
      const result = await autocannon({ ...target.options, connections: CONNECTIONS, duration, expectBody });
      rows.push({
        target: target.target,
        requestsPerSecond: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.mismatches,
        non2xx: result.non2xx,
        cpu: meter.stop(),
      });
    }
  } finally {
    await bare?.stop(5_000);
    await stopAll(Object.values(services));
  }
  const profiles = profileTables(profile, ['gateway']);
  const [bareRow, graphqlRow] = rows;
  const share = bareRow && graphqlRow ? ratio(graphqlRow.requestsPerSecond, bareRow.requestsPerSecond) : null;
  return {
    id: 'http',
    title: '5. HTTP overhead',
    goal: 'reported: GraphQL signal(id) req/s beside a bare HTTP handler',
    outcome: graphqlRow && graphqlRow.errors === 0 && graphqlRow.non2xx === 0 ? 'met' : 'missed',
    headline:
      bareRow && graphqlRow
        ? `GraphQL ${graphqlRow.requestsPerSecond.toFixed(0)} req/s vs bare ${bareRow.requestsPerSecond.toFixed(0)} req/s (${share ?? '—'}×)`
        : 'not measured',
    tables: [
      {
        title: `autocannon, ${CONNECTIONS} connections, ${duration} s after a 2 s warm-up; latency ms`,
        columns: [
          'target',
          'req/s',
          'p50',
          'p99',
          'errors (or another answer)',
          'non-2xx',
          'server CPU %',
          'autocannon CPU %',
        ],
        rows: rows.map((row) => [
          row.target,
          row.requestsPerSecond,
          row.p50,
          row.p99,
          row.errors,
          row.non2xx,
          row.cpu.server ?? null,
          row.cpu['generator (autocannon)'] ?? null,
        ]),
      },
      ...profiles.tables,
    ],
    notes: [
      `${SEEDED_SIGNALS.toLocaleString('en-US')} seeded signals; every request reads the same signal (same projection both sides). The gateway runs with GATEWAY_RATE_LIMIT_POINTS=100000000 (default 600/min would refuse the load), so each request still pays the Redis rate-limit round trip.`,
      'No goal is set by the issue for this one: it is "met" when the gateway answered every request with 200.',
      ...profiles.notes,
    ],
    data: { rows, ratio: share, profiles: profiles.data },
  };
};

/** The body of one request to `options`' target; refuses a GraphQL answer that carries errors. */
async function answerOf(options: Parameters<typeof autocannon>[0]): Promise<string> {
  const response = await fetch(options.url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
  });
  const body = await response.text();
  if (!response.ok || 'errors' in (JSON.parse(body) as object)) {
    throw new Error(`${options.url} answered ${response.status}: ${body.slice(0, 300)}`);
  }
  return body;
}
