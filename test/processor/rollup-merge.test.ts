import mongoose, { type Connection } from 'mongoose';
import { silentLogger } from '../../schema';
import { ExclusiveGate } from '../../processor/exclusive-gate';
import { bindProcessorModels, type ProcessorModels } from '../../processor/processor.models';
import type { RollupContribution } from '../../processor/rollup-recompute';
import { RollupStore } from '../../processor/rollup.store';
import { deriveSignal } from '../../processor/signal-derivation';
import {
  MAX_CONCURRENT_BATCHES,
  MAX_SIGNALS_PER_BATCH,
  SignalWriter,
  type NewSignal,
} from '../../processor/signal.writer';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { waitFor } from '../support/wait-for';
import { rollupDifferences } from './support/rollup-invariant';

/** The real store, except that its first rollup write waits until the test lets it go. */
class FirstWriteHeldRollupStore extends RollupStore {
  /** Contributions covered by each rollup write, in order. */
  readonly writes: number[] = [];
  private letFirstGo!: () => void;
  private readonly firstLetGo = new Promise<void>((resolve) => {
    this.letFirstGo = resolve;
  });

  release(): void {
    this.letFirstGo();
  }

  override async applyIncrements(signals: ReadonlyArray<RollupContribution>): Promise<void> {
    this.writes.push(signals.length);
    if (this.writes.length === 1) await this.firstLetGo;
    return super.applyIncrements(signals);
  }
}

function newSignal(deviceId: string, time: number): NewSignal {
  const payload = {
    time,
    data: [
      [0, [45.1, 7.6, 3]],
      [1_000, [45.1001, 7.6001, 4]],
    ] as Array<[number, [number, number, number]]>,
  };
  const raw = Buffer.from(JSON.stringify({ [deviceId]: payload }));
  return { derived: deriveSignal({ deviceId, payload }, raw, 300), raw, ingestedAt: time };
}

describe('signal writer: rollups of waiting batches', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let connection: Connection;
  let models: ProcessorModels;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_rollup_merge'), (i) => i.dispose());
    connection = disposables.add(await mongoose.createConnection(infra.mongoUrl).asPromise(), (c) => c.close());
    models = await bindProcessorModels(connection);
  });

  afterAll(() => disposables.disposeAll());

  // A batch waiting for its rollups must not hold a writing slot against a backlog: otherwise the
  // processor's throughput is capped by how long one rollup write takes, and nothing merges.
  it('writes a full batch while earlier ones wait for their rollups, then merges their rollups into one write', async () => {
    const rollups = new FirstWriteHeldRollupStore(models);
    const writer = new SignalWriter(models, rollups, new ExclusiveGate(), silentLogger());
    const base = Date.UTC(2025, 8, 1);
    const stored = async (prefix: string): Promise<number> =>
      models.signals.countDocuments({ deviceId: { $regex: `^${prefix}` } });

    const first = writer.store(newSignal('merge-first', base));
    await waitFor('the first rollup write to start', () => rollups.writes.length === 1);

    // Single signals, each once the one before it is stored, until every slot holds a waiting batch.
    const later: Array<ReturnType<SignalWriter['store']>> = [];
    for (let i = 1; i < MAX_CONCURRENT_BATCHES; i += 1) {
      later.push(writer.store(newSignal(`merge-single-${i}`, base + i * 60_000)));
      await waitFor(`single signal ${i} stored`, async () => (await stored(`merge-single-${i}`)) === 1, 15_000);
    }
    // A backlog: a full batch starts beside the waiting ones.
    for (let i = 0; i < MAX_SIGNALS_PER_BATCH; i += 1) {
      later.push(writer.store(newSignal(`merge-backlog-${i % 10}`, base + (100 + i) * 60_000)));
    }
    await waitFor(
      'the backlog batch stored',
      async () => (await stored('merge-backlog-')) === MAX_SIGNALS_PER_BATCH,
      15_000,
    );
    expect(rollups.writes).toEqual([1]);

    rollups.release();
    const results = await Promise.all([first, ...later]);

    expect(results.every((result) => result.outcome === 'stored')).toBe(true);
    expect(rollups.writes).toEqual([1, MAX_CONCURRENT_BATCHES - 1 + MAX_SIGNALS_PER_BATCH]);
    expect(await models.rollupRepairs.countDocuments()).toBe(0);
    expect(await rollupDifferences(connection.db!)).toEqual([]);
  });
});
