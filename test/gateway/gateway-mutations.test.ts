import { connect } from 'amqplib';
import { loadProcessorConfig } from '../../processor/config';
import { startProcessor } from '../../processor/processor.service';
import { COMMAND_QUEUE, declareTopology, silentLogger } from '../../schema';
import type { GatewayModels } from '../../gateway/db/gateway-models';
import type { RunningGateway } from '../../gateway/gateway.service';
import {
  CreateSignalDocument,
  DeleteSignalDocument,
  DeviceStatsOfDocument,
  SignalByIdDocument,
  SignalsPageDocument,
  UpdateSignalDocument,
  type XRayInput,
} from '../gql/graphql';
import { Disposables } from '../support/disposables';
import { loadSampleXRay } from '../support/sample-xray';
import { startTcpProxy } from '../support/tcp-proxy';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { waitFor } from '../support/wait-for';
import { connectModels, dataOf, errorCodeOf, execute, startTestGateway } from './support/gateway-harness';

/** The real device sample as a createSignal input, under another device id. */
function sampleInput(deviceId: string): XRayInput {
  const { message } = loadSampleXRay();
  const payload = Object.values(message)[0];
  if (!payload) throw new Error('sample holds no payload');
  return {
    deviceId,
    time: new Date(payload.time).toISOString(),
    data: payload.data.map(([offsetMs, [lat, lon, speed]]) => ({ offsetMs, lat, lon, speed })),
  };
}

function smallInput(deviceId: string, timeMs: number, count: number): XRayInput {
  return {
    deviceId,
    time: new Date(timeMs).toISOString(),
    data: Array.from({ length: count }, (_, i) => ({
      offsetMs: i * 1000,
      lat: 45 + i * 0.0001,
      lon: 7 + i * 0.0001,
      speed: 5 + i,
    })),
  };
}

/** The processor that runs the suite's commands, on its infrastructure. */
async function startCommandProcessor(infra: SuiteInfra, disposables: Disposables): Promise<void> {
  const config = loadProcessorConfig({
    PROCESSOR_PORT: '0',
    PROCESSOR_HOST: '127.0.0.1',
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    AMQP_URL: infra.amqpUrl,
    INGEST_HMAC_SECRET: 'gateway-mutations-fleet-secret-0123456789',
    XRAY_NAMESPACE: infra.namespace,
    RETENTION_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
  });
  disposables.add(await startProcessor(config, { logger: silentLogger() }), (p) => p.close());
}

describe('signal mutations through the processor', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let models: GatewayModels;
  let gateway: RunningGateway;

  beforeAll(async () => {
    infra = await createSuiteInfra('gateway-mutations');
    disposables.add(infra, (i) => i.dispose());
    models = await connectModels(infra, disposables);
    gateway = await startTestGateway(infra, disposables);
    await startCommandProcessor(infra, disposables);
  });

  afterAll(() => disposables.disposeAll());

  it('creates a signal from the real sample, derived and rolled up like an ingested one', async () => {
    const input = sampleInput('mut-sample');
    const created = dataOf(await execute(gateway.url, CreateSignalDocument, { input })).createSignal;
    expect(created).toMatchObject({ deviceId: 'mut-sample', time: input.time, dataLength: input.data.length });
    expect(created.stats.distanceMeters).toBeGreaterThan(0);
    expect(created.dataVolume).toBeGreaterThan(0);
    const listed = dataOf(await execute(gateway.url, SignalsPageDocument, { filter: { deviceIds: ['mut-sample'] } }))
      .signals.edges;
    expect(listed.map((e) => e.node.id)).toEqual([created.id]);
    const stats = dataOf(await execute(gateway.url, DeviceStatsOfDocument, { deviceId: 'mut-sample' })).deviceStats;
    expect(stats).toMatchObject({ signalCount: 1, dataVolume: created.dataVolume });
    expect(stats.distanceMeters).toBeCloseTo(created.stats.distanceMeters, 6);
  });

  it('updates a signal and re-derives it, keeping its id', async () => {
    const created = dataOf(
      await execute(gateway.url, CreateSignalDocument, {
        input: smallInput('mut-update', Date.UTC(2026, 0, 5, 10), 3),
      }),
    ).createSignal;
    const updated = dataOf(
      await execute(gateway.url, UpdateSignalDocument, {
        id: created.id,
        input: smallInput('mut-update', Date.UTC(2026, 0, 5, 11), 6),
      }),
    ).updateSignal;
    expect(updated).toMatchObject({
      id: created.id,
      dataLength: 6,
      time: new Date(Date.UTC(2026, 0, 5, 11)).toISOString(),
    });
    expect(updated.stats.maxSpeed).toBe(10);
    const stored = dataOf(await execute(gateway.url, SignalByIdDocument, { id: created.id })).signal;
    expect(stored?.points).toHaveLength(6);
    const stats = dataOf(await execute(gateway.url, DeviceStatsOfDocument, { deviceId: 'mut-update' })).deviceStats;
    expect(stats).toMatchObject({ signalCount: 1, maxSpeed: 10 });
  });

  it('deletes a signal and the rollups drop it', async () => {
    const keep = dataOf(
      await execute(gateway.url, CreateSignalDocument, {
        input: smallInput('mut-delete', Date.UTC(2026, 0, 6, 10), 2),
      }),
    ).createSignal;
    const doomed = dataOf(
      await execute(gateway.url, CreateSignalDocument, {
        input: smallInput('mut-delete', Date.UTC(2026, 0, 6, 12), 4),
      }),
    ).createSignal;
    expect(dataOf(await execute(gateway.url, DeleteSignalDocument, { id: doomed.id })).deleteSignal).toBe(true);
    expect(dataOf(await execute(gateway.url, SignalByIdDocument, { id: doomed.id })).signal).toBeNull();
    const stats = dataOf(await execute(gateway.url, DeviceStatsOfDocument, { deviceId: 'mut-delete' })).deviceStats;
    expect(stats).toMatchObject({ signalCount: 1, dataVolume: keep.dataVolume, maxSpeed: keep.stats.maxSpeed });
    expect(errorCodeOf(await execute(gateway.url, DeleteSignalDocument, { id: doomed.id }))).toBe('NOT_FOUND');
  });

  it('refuses an invalid message with BAD_USER_INPUT naming the field, storing nothing', async () => {
    const input = smallInput('mut-bad', Date.UTC(2026, 0, 7), 3);
    const broken = { ...input, data: input.data.map((s, i) => (i === 1 ? { ...s, lat: 91 } : s)) };
    const response = await execute(gateway.url, CreateSignalDocument, { input: broken });
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.issues).toEqual([
      { path: 'input.data[1].lat', message: 'lat must be in [-90, 90]' },
    ]);
    expect(await models.signals.countDocuments({ deviceId: 'mut-bad' })).toBe(0);
    expect(
      errorCodeOf(await execute(gateway.url, CreateSignalDocument, { input: { ...input, deviceId: 'bad id!' } })),
    ).toBe('BAD_USER_INPUT');
    expect(errorCodeOf(await execute(gateway.url, CreateSignalDocument, { input: { ...input, data: [] } }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('answers NOT_FOUND for an update of a signal that does not exist', async () => {
    const response = await execute(gateway.url, UpdateSignalDocument, {
      id: '0123456789abcdef01234567',
      input: smallInput('mut-ghost', Date.UTC(2026, 0, 8), 2),
    });
    expect(errorCodeOf(response)).toBe('NOT_FOUND');
    expect(await models.signals.countDocuments({ deviceId: 'mut-ghost' })).toBe(0);
  });
});

describe('a signal mutation applied while the gateway loses the database', () => {
  const disposables = new Disposables();

  afterAll(() => disposables.disposeAll());

  it('names the stored signal (INTERNAL_SERVER_ERROR, COMMAND_APPLIED_READ_FAILED), never "nothing was changed"', async () => {
    const infra = await createSuiteInfra('gateway-mut-read-back');
    disposables.add(infra, (i) => i.dispose());
    const models = await connectModels(infra, disposables);
    const database = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    // The key stays cached, so only reading the signal back needs the database.
    const gateway = await startTestGateway(infra, disposables, {
      MONGO_URL: database.urlFor(infra.mongoUrl),
      GATEWAY_API_KEY_CACHE_TTL_MS: '600000',
      GATEWAY_DB_TIMEOUT_MS: '1000',
    });
    await startCommandProcessor(infra, disposables);
    expect(dataOf(await execute(gateway.url, SignalsPageDocument, { first: 1 })).signals.edges).toEqual([]);

    database.cut();
    const response = await execute(gateway.url, CreateSignalDocument, {
      input: smallInput('mut-read-back', Date.UTC(2026, 0, 9), 2),
    });
    database.restore();
    expect(errorCodeOf(response)).toBe('INTERNAL_SERVER_ERROR');
    const { reason, signalId } = response.errors?.[0]?.extensions ?? {};
    expect(reason).toBe('COMMAND_APPLIED_READ_FAILED');
    expect(response.errors?.[0]?.message).toMatch(/the change was applied/);
    const stored = await models.signals.findOne({ deviceId: 'mut-read-back' }).lean();
    expect(stored?._id.toHexString()).toBe(signalId);
  });
});

describe('signal mutations without a processor', () => {
  const disposables = new Disposables();

  afterAll(() => disposables.disposeAll());

  /** A suite of its own, and a gateway reaching its broker through a proxy the test can cut or stall. */
  const gatewayBehindBrokerProxy = async (suiteName: string, env: Record<string, string> = {}) => {
    const infra = await createSuiteInfra(suiteName);
    disposables.add(infra, (i) => i.dispose());
    const broker = disposables.add(await startTcpProxy(infra.amqpUrl), (p) => p.close());
    const gateway = await startTestGateway(infra, disposables, { AMQP_URL: broker.urlFor(infra.amqpUrl), ...env });
    return { infra, broker, gateway };
  };

  it('times out with a typed INTERNAL_SERVER_ERROR (reason COMMAND_TIMEOUT)', async () => {
    const infra = await createSuiteInfra('gateway-mut-timeout');
    disposables.add(infra, (i) => i.dispose());
    const gateway = await startTestGateway(infra, disposables, { GATEWAY_COMMAND_TIMEOUT_MS: '400' });
    const response = await execute(gateway.url, CreateSignalDocument, {
      input: smallInput('mut-timeout', Date.UTC(2026, 0, 9), 2),
    });
    expect(errorCodeOf(response)).toBe('INTERNAL_SERVER_ERROR');
    expect(response.errors?.[0]?.extensions?.reason).toBe('COMMAND_TIMEOUT');
    expect(response.errors?.[0]?.message).toMatch(/did not answer within 400 ms/);
  });

  it('answers DEPENDENCY_UNAVAILABLE with 503 and Retry-After while the broker is unreachable', async () => {
    const { broker, gateway } = await gatewayBehindBrokerProxy('gateway-mut-broker-down');
    broker.cut();
    const response = await execute(gateway.url, CreateSignalDocument, {
      input: smallInput('mut-broker-down', Date.UTC(2026, 0, 9), 2),
    });
    expect(errorCodeOf(response)).toBe('DEPENDENCY_UNAVAILABLE');
    expect(response.errors?.[0]?.extensions?.reason).toBe('COMMAND_BROKER_UNREACHABLE');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('answers COMMAND_BROKER_UNREACHABLE within the command timeout while the broker takes connections and never answers', async () => {
    const { broker, gateway } = await gatewayBehindBrokerProxy('gateway-mut-broker-stalled', {
      GATEWAY_COMMAND_TIMEOUT_MS: '1000',
    });
    broker.stall();
    const response = await execute(gateway.url, CreateSignalDocument, {
      input: smallInput('mut-broker-stalled', Date.UTC(2026, 0, 9), 2),
    });
    expect(errorCodeOf(response)).toBe('DEPENDENCY_UNAVAILABLE');
    expect(response.errors?.[0]?.extensions?.reason).toBe('COMMAND_BROKER_UNREACHABLE');
    broker.restore();
  });

  it('answers COMMAND_CONNECTION_LOST, not COMMAND_REFUSED, when the connection drops before the broker confirms a command it queued', async () => {
    const { infra, broker, gateway } = await gatewayBehindBrokerProxy('gateway-mut-confirm-lost', {
      GATEWAY_COMMAND_TIMEOUT_MS: '15000',
    });
    const direct = disposables.add(await connect(infra.amqpUrl), (c) => c.close());
    direct.on('error', () => undefined);
    const channel = await direct.createChannel();
    // Declared as the gateway declares it on first use, so counting never meets a missing queue.
    await declareTopology(channel);
    const queued = async (): Promise<number> => (await channel.checkQueue(COMMAND_QUEUE)).messageCount;
    const send = (deviceId: string) =>
      execute(gateway.url, CreateSignalDocument, { input: smallInput(deviceId, Date.UTC(2026, 0, 9), 2) });

    // No processor consumes commands here: each one stays queued, its answer never comes.
    const first = send('mut-confirm-lost-a');
    await waitFor('the first command queued', async () => (await queued()) === 1);
    broker.holdAnswers();
    const second = send('mut-confirm-lost-b');
    await waitFor('the second command queued, its confirm held back', async () => (await queued()) === 2);
    broker.cut();

    const [firstResponse, secondResponse] = await Promise.all([first, second]);
    for (const response of [firstResponse, secondResponse]) {
      expect(errorCodeOf(response)).toBe('INTERNAL_SERVER_ERROR');
      expect(response.errors?.[0]?.extensions?.reason).toBe('COMMAND_CONNECTION_LOST');
      expect(response.errors?.[0]?.message).toMatch(/may or may not have been applied/);
    }
    // It may indeed: the broker holds the second command for a processor to run.
    expect(await queued()).toBe(2);
    broker.restore();
  });
});
