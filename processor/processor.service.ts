import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import {
  createOpsApp,
  createServiceRedis,
  MONGO_CONNECT_TIMEOUT_MS,
  reconnectWhenMonitorHangs,
  waitForRedis,
  type Logger,
  type ReadinessChecks,
  type RunningService,
} from '../schema';
import { BrokerSession } from './broker.session';
import { DependencyWatch } from './dependency-watch';
import type { ProcessorConfig } from './config';
import { ExclusiveGate } from './exclusive-gate';
import { createProcessorMetrics } from './processor.metrics';
import { bindProcessorModels } from './processor.models';
import { rawXRayMessageHandler } from './raw-xray.consumer';
import { createRawXRayHandler } from './raw-xray.handler';
import { RetentionJob } from './retention.job';
import { RollupStore } from './rollup.store';
import { signalCommandMessageHandler } from './signal-command.consumer';
import { createSignalCommandHandler } from './signal-command.handler';
import { SignalEventPublisher } from './signal-event.publisher';
import { SignalWriter } from './signal.writer';

export interface ProcessorDeps {
  logger: Logger;
}

/** The running processor, plus handles tests use. */
export interface RunningProcessor extends RunningService {
  /** Runs the retention job once now; resolves with the number of signals deleted. */
  runRetention(): Promise<number>;
}

/** Database connections: enough for `prefetch` messages in flight, well below FerretDB's PostgreSQL pool. */
const MONGO_MAX_POOL_SIZE = 64;

/**
 * Starts the processor: repairs rollups an earlier crash left half-applied, then consumes raw x-ray
 * messages and signal commands, runs the retention job, and serves /healthz, /readyz and /metrics.
 */
export async function startProcessor(config: ProcessorConfig, deps: ProcessorDeps): Promise<RunningProcessor> {
  const { logger } = deps;
  const connection = await mongoose
    .createConnection(config.mongoUrl, {
      serverSelectionTimeoutMS: config.mongoTimeoutMs,
      // Fail operations at once while disconnected (transient → retry) instead of queueing them in memory.
      bufferCommands: false,
      maxPoolSize: MONGO_MAX_POOL_SIZE,
      connectTimeoutMS: MONGO_CONNECT_TIMEOUT_MS,
      autoIndex: false,
      // A message is acked once its writes are acknowledged: they must be on disk (journal) and on
      // a majority of a replica set by then, or a crash after the ack loses what the broker dropped.
      // Bounded: without a majority (a secondary down beside an arbiter) a write fails transiently,
      // and its message is retried, instead of waiting forever.
      writeConcern: { w: 'majority', journal: true, wtimeoutMS: config.mongoTimeoutMs },
    })
    .asPromise();
  const monitorWatch = reconnectWhenMonitorHangs(connection.getClient(), logger);
  /** What a start that fails part-way closes again, newest first. */
  const undo: Array<() => unknown> = [];
  try {
    const models = await bindProcessorModels(connection);

    const redis = createServiceRedis(config.redisUrl, logger);
    undo.push(() => redis.disconnect());
    // Not ready in time: start anyway; messages fail transiently (and retry) until Redis answers.
    await waitForRedis(redis, config.mongoTimeoutMs);

    const metrics = createProcessorMetrics();
    const gate = new ExclusiveGate();
    const rollups = new RollupStore(models);
    const events = new SignalEventPublisher(redis, config.namespace, config.seenKeyTtlSeconds);
    // A repair recomputes positions too, which may set a device back: live maps are told to read it
    // again, as after an update or delete. A notice lost here costs a stale marker, not data.
    const announceRepaired = async (deviceIds: string[]): Promise<void> => {
      try {
        for (const deviceId of deviceIds) await events.publishPositionCorrection({ deviceId });
      } catch (error) {
        logger.warn({ err: error }, 'could not announce the positions a repair recomputed');
      }
    };
    const writer = new SignalWriter(models, rollups, gate, logger, announceRepaired);
    undo.push(() => writer.close());

    // Logs what it recomputed; devices it could not are tried again later.
    await writer.repairInterrupted();

    const handleRaw = createRawXRayHandler({
      hmacSecret: config.hmacSecret,
      maxSpeedKmh: config.maxSpeedKmh,
      writer,
      events,
      metrics,
      logger,
    });
    const handleCommand = createSignalCommandHandler({
      models,
      writer,
      events,
      maxSpeedKmh: config.maxSpeedKmh,
      logger,
    });
    const retryPolicy = {
      baseDelayMs: config.retryBaseDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
      maxAttempts: config.maxAttempts,
      maxHoldMs: config.outageHoldMs,
    };
    const readinessChecks: ReadinessChecks = {
      mongo: async () => {
        await connection.db?.admin().ping();
      },
      redis: async () => {
        await redis.ping();
      },
    };
    // The dependencies a stored and published message needs (not the broker: without it nothing settles).
    const dependencies = new DependencyWatch(readinessChecks);
    // The ops endpoints answer before the broker does: a broker refusing the connection (a wrong
    // password, a queue declared with other arguments) shows as a failing /readyz and the log's
    // reason, while the session keeps trying, instead of a process that answers nothing.
    let broker: BrokerSession | undefined;
    const app = createOpsApp({
      registry: metrics.registry,
      checks: {
        ...readinessChecks,
        amqp: async () => {
          if (!broker?.isConsuming()) throw new Error('not consuming from the broker');
        },
      },
    });
    const server = app.listen(config.port, config.host);
    undo.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    logger.info({ port }, 'processor listening; connecting to the broker');
    const session = await BrokerSession.start({
      amqpUrl: config.amqpUrl,
      prefetch: config.prefetch,
      logger,
      raw: (consumeChannel, publishChannel) =>
        rawXRayMessageHandler(consumeChannel, publishChannel, {
          handle: handleRaw,
          retryPolicy,
          dependencyOutage: () => dependencies.outage(),
          metrics,
          logger,
        }),
      command: (consumeChannel, publishChannel) =>
        signalCommandMessageHandler(consumeChannel, publishChannel, { handle: handleCommand, metrics, logger }),
    });
    broker = session;

    const retention = new RetentionJob({
      models,
      writer,
      metrics,
      logger,
      retentionDays: config.retentionDays,
      batchSize: config.retentionBatchSize,
    });
    retention.start(config.retentionIntervalMs);

    logger.info({ port }, 'processor started');

    let closing: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      runRetention: () => retention.runOnce(),
      close() {
        closing ??= (async () => {
          await session.close();
          await retention.stop();
          await writer.close();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          redis.disconnect();
          await monitorWatch.stop();
          await connection.close();
          logger.info('processor stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // Closing what a failed start opened: the start's own error is the one to report.
      }
    }
    await monitorWatch.stop();
    await connection.close().catch(() => undefined);
    throw error;
  }
}
