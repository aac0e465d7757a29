import type mongoose from 'mongoose';
import { silentLogger } from '../../schema';
import { ExclusiveGate } from '../../processor/exclusive-gate';
import { createProcessorMetrics } from '../../processor/processor.metrics';
import { bindProcessorModels } from '../../processor/processor.models';
import type { RunningProcessor } from '../../processor/processor.service';
import { RetentionJob } from '../../processor/retention.job';
import { RollupStore } from '../../processor/rollup.store';
import { SignalWriter } from '../../processor/signal.writer';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, TEST_HMAC_SECRET } from './support/processor-harness';
import { counterValue } from './support/processor-metrics';
import { rollupDifferences } from './support/rollup-invariant';
import { waitFor } from '../support/wait-for';

const DAY = 86_400_000;

describe('retention', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  let processor: RunningProcessor;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_retention'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    processor = disposables.add(
      await startTestProcessor(infra, { RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '7' }),
      (p) => p.close(),
    );
  });

  afterAll(() => disposables.disposeAll());

  const sendOne = (deviceId: string, i: number, acceptedAt: number) =>
    broker.publishXRay(
      deviceId,
      Buffer.from(
        JSON.stringify({
          [deviceId]: { time: Date.UTC(2025, 0, 1) + i * 3_600_000, data: [[0, [i * 0.001, 3, i]]] },
        }),
      ),
      { acceptedAt },
    );

  it('deletes signals accepted more than RETENTION_DAYS ago, their payloads and buckets, and keeps rollups exact', async () => {
    const now = Date.now();
    // Old history replayed today is kept: retention counts from acceptance, not from the message time.
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => sendOne('ret-old', i, now - 40 * DAY)),
      ...Array.from({ length: 5 }, (_, i) => sendOne('ret-mixed', i, now - 31 * DAY)),
      ...Array.from({ length: 5 }, (_, i) => sendOne('ret-mixed', 100 + i, now - 1 * DAY)),
      ...Array.from({ length: 4 }, (_, i) => sendOne('ret-fresh', i, now)),
    ]);
    await waitFor('all stored', async () => (await db.collection('signals').countDocuments({})) === 26);

    expect(await processor.runRetention()).toBe(17);

    expect(await db.collection('signals').countDocuments({ deviceId: 'ret-old' })).toBe(0);
    expect(await db.collection('signals').countDocuments({ deviceId: 'ret-mixed' })).toBe(5);
    expect(await db.collection('signals').countDocuments({ deviceId: 'ret-fresh' })).toBe(4);
    expect(await db.collection('raw_payloads.files').countDocuments({})).toBe(9);
    expect(await db.collection('raw_payloads.chunks').countDocuments({})).toBe(9);
    expect(await db.collection('signal_tracks').countDocuments({})).toBe(9);
    expect(await db.collection('devices').countDocuments({ _id: 'ret-old' as never })).toBe(0);
    expect(await db.collection('hour_buckets').countDocuments({ deviceId: 'ret-old' })).toBe(0);
    expect(await db.collection('devices').findOne({ _id: 'ret-mixed' as never })).toMatchObject({ signalCount: 5 });
    expect(await rollupDifferences(db.db as never)).toEqual([]);
    expect(await counterValue(processor.url, 'xray_processor_retention_deleted_signals_total')).toBe(17);

    expect(await processor.runRetention()).toBe(0);
  });

  it('stops after the batch under way when stopped mid-run, leaving the rest exact for the next run', async () => {
    const acceptedAt = Date.now() - 40 * DAY;
    await Promise.all(Array.from({ length: 9 }, (_, i) => sendOne('ret-stopped', i, acceptedAt)));
    const stored = async () => db.collection('signals').countDocuments({ deviceId: 'ret-stopped' });
    await waitFor('all stored', async () => (await stored()) === 9);
    const models = await bindProcessorModels(db);
    const job = new RetentionJob({
      models,
      writer: new SignalWriter(models, new RollupStore(models), new ExclusiveGate(), silentLogger()),
      metrics: createProcessorMetrics(),
      logger: silentLogger(),
      retentionDays: 30,
      batchSize: 3,
    });

    const run = job.runOnce();
    await job.stop();

    // The first batch had started: it completes, and no further one does.
    expect(await run).toBe(3);
    expect(await stored()).toBe(6);
    expect(await rollupDifferences(db.db as never)).toEqual([]);
    expect(await processor.runRetention()).toBe(6);
  });
});
