import mongoose, { mongo } from 'mongoose';
import { RAW_DEAD_LETTER_QUEUE, RAW_QUEUE, RAW_RETRY_QUEUE, silentLogger } from '../../schema';
import type { RunningProcessor } from '../../processor/processor.service';
import { reconnectWhenMonitorHangs } from '../../schema';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, TEST_HMAC_SECRET } from './support/processor-harness';
import { counterValue } from './support/processor-metrics';
import { rollupDifferences } from './support/rollup-invariant';
import { waitFor } from '../support/wait-for';

/** How long the database stays unreachable: the outage the retry schedule must ride out. */
const OUTAGE_MS = 20_000;

describe('processor during a database outage', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  let proxy: TcpProxy;
  let processor: RunningProcessor;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_db_outage'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    proxy = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    processor = disposables.add(await startTestProcessor(infra, { MONGO_URL: proxy.urlFor(infra.mongoUrl) }), (p) =>
      p.close(),
    );
  });

  afterAll(() => disposables.disposeAll());

  it('retries through a 20 s outage: nothing reaches the dead-letter queue, nothing is lost', async () => {
    let sent = 0;
    const send = async (count: number): Promise<void> => {
      const base = Date.UTC(2025, 6, 1);
      await Promise.all(
        Array.from({ length: count }, () => {
          const i = sent++;
          const deviceId = `outage-${i % 10}`;
          const body = Buffer.from(
            JSON.stringify({ [deviceId]: { time: base + i * 60_000, data: [[0, [45 + i * 1e-4, 7, 1]]] } }),
          );
          return broker.publishXRay(deviceId, body);
        }),
      );
    };
    const stored = () => db.collection('signals').countDocuments({});

    await send(100);
    await waitFor('the first messages stored', async () => (await stored()) === 100);

    proxy.cut();
    await send(100);
    await waitFor(
      'a retry scheduled',
      async () => (await counterValue(processor.url, 'xray_processor_retries_total')) > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)); // the outage itself, not a wait for a result
    await send(50);
    proxy.restore();
    await send(50);

    await waitFor('every message stored', async () => (await stored()) === 300, 90_000);
    await waitFor(
      'queues drained',
      async () => (await broker.messageCount(RAW_QUEUE)) + (await broker.messageCount(RAW_RETRY_QUEUE)) === 0,
    );
    expect(await broker.messageCount(RAW_DEAD_LETTER_QUEUE)).toBe(0);
    expect(await db.collection('signals').distinct('idempotencyKey')).toHaveLength(300);
    await waitFor(
      'rollups equal to a recomputation',
      async () => (await rollupDifferences(db.db as never)).length === 0,
    );
  }, 240_000);

  it('reconnects a client whose server monitor hung on a closed connection', async () => {
    // The driver race the outage above runs into only sometimes (see reconnectWhenMonitorHangs in
    // schema/ops/mongo-monitor.watchdog.ts), made certain through driver internals: the monitoring connection's
    // socket is destroyed, and a check starts before Node has delivered the socket's 'close'.
    const connection = disposables.add(
      await mongoose
        .createConnection(infra.mongoUrl, {
          serverSelectionTimeoutMS: 1_000,
          connectTimeoutMS: 1_000,
          bufferCommands: false,
        })
        .asPromise(),
      (c) => c.close(),
    );
    const client = connection.getClient();
    disposables.add(reconnectWhenMonitorHangs(client, silentLogger()), (w) => w.stop());
    const ping = async (): Promise<boolean> => {
      await (connection.db as mongo.Db).admin().ping();
      return true;
    };
    const server = [...(client as unknown as DriverInternals).topology.s.servers.values()][0] as DriverServer;
    const { monitor } = server;
    await waitFor(
      'the monitor idle on its connection',
      () => monitor.s.state === 'idle' && monitor.connection !== null,
    );

    monitor.monitorId.lastExecutionEnded = -Infinity; // the check runs at once, as after a quiet spell
    monitor.connection?.socket.destroy();
    monitor.requestCheck();
    server.handleError(new mongo.MongoNetworkError('a pooled connection closed')); // as a failing operation reports it
    await expect(ping()).rejects.toThrow(mongo.MongoServerSelectionError);

    await waitFor('the client reaching the database again', ping, 15_000);
  }, 30_000);
});

/** The parts of the mongodb driver's (7.x) private state the monitor test reaches into. */
interface DriverInternals {
  topology: { s: { servers: Map<string, unknown> } };
}
interface DriverServer {
  monitor: {
    s: { state: string };
    connection: { socket: { destroy(): void } } | null;
    monitorId: { lastExecutionEnded: number };
    requestCheck(): void;
  };
  handleError(error: Error): void;
}
