import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import {
  allSignalsChannelFor,
  RAW_PAYLOAD_BUCKET,
  SIGNAL_TRACKS_COLLECTION,
  silentLogger,
  type SignalCommand,
  type SignalCommandReply,
  type XRayPayload,
} from '../../schema';
import { ExclusiveGate } from '../../processor/exclusive-gate';
import { bindProcessorModels, type ProcessorModels } from '../../processor/processor.models';
import { createProcessorMetrics } from '../../processor/processor.metrics';
import { RetentionJob } from '../../processor/retention.job';
import { RollupStore } from '../../processor/rollup.store';
import { createSignalCommandHandler } from '../../processor/signal-command.handler';
import { SignalEventPublisher } from '../../processor/signal-event.publisher';
import { SignalWriter } from '../../processor/signal.writer';
import type { SignalTrackStore } from '../../processor/signal-track.store';
import { CreateSignalDocument, UpdateSignalDocument, type XRayInput } from '../gql/graphql';
import { dataOf, errorCodeOf, execute, startTestGateway } from '../gateway/support/gateway-harness';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { waitFor } from '../support/wait-for';
import { connectSuiteDb, processorConfigFor, startTestProcessor, subscribeEvents } from './support/processor-harness';
import { rollupDifferences } from './support/rollup-invariant';

type Handler = (command: SignalCommand) => Promise<SignalCommandReply>;

/** A writer whose next `rewrite` first runs `beforeNextRewrite`: a command that got the lock first. */
class WriterWithQueuedRewrite extends SignalWriter {
  beforeNextRewrite: (() => Promise<unknown>) | undefined;

  override async rewrite<T>(deviceIds: string[], work: () => Promise<T>): Promise<T> {
    const before = this.beforeNextRewrite;
    this.beforeNextRewrite = undefined;
    await before?.();
    return super.rewrite(deviceIds, work);
  }
}

function payloadAt(timeMs: number, lat: number, count = 3): XRayPayload {
  return {
    time: timeMs,
    data: Array.from({ length: count }, (_, i) => [i * 1000, [lat + i * 0.0001, 7 + i * 0.0001, 5 + i]]),
  };
}

function inputOf(deviceId: string, payload: XRayPayload): XRayInput {
  return {
    deviceId,
    time: new Date(payload.time).toISOString(),
    data: payload.data.map(([offsetMs, [lat, lon, speed]]) => ({ offsetMs, lat, lon, speed })),
  };
}

describe('signal commands that conflict with other signals or other commands', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: mongoose.Connection;
  let gatewayUrl: string;
  let events: Awaited<ReturnType<typeof subscribeEvents>>;
  /** This process's handler (its writer lets a test queue a command ahead of the next rewrite). */
  let handle: Handler;
  let writer: WriterWithQueuedRewrite;
  /** The models `writer` writes through. */
  let writerModels: ProcessorModels;
  /** Runs just before this process's update writes its track (inside its exclusive section), once. */
  let insideNextUpdate: (() => Promise<unknown>) | undefined;
  /** A second processor replica on the same database: its own gate, so it is not held back by ours. */
  let otherReplica: Handler;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_cmd_conflicts'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    events = disposables.add(await subscribeEvents(infra.redisUrl, [allSignalsChannelFor(infra.namespace)]), (e) =>
      e.close(),
    );
    disposables.add(await startTestProcessor(infra), (p) => p.close());
    gatewayUrl = (await startTestGateway(infra, disposables)).url;

    const config = processorConfigFor(infra);
    const connection = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    const redis = disposables.add(new Redis(infra.redisUrl), (r) => r.disconnect());
    const models = await bindProcessorModels(connection);
    const eventPublisher = new SignalEventPublisher(redis, infra.namespace, config.seenKeyTtlSeconds);
    const handlerFor = (handlerModels: ProcessorModels, handlerWriter: SignalWriter): Handler => {
      const handler = createSignalCommandHandler({
        models: handlerModels,
        writer: handlerWriter,
        events: eventPublisher,
        maxSpeedKmh: config.maxSpeedKmh,
        logger: silentLogger(),
      });
      let commands = 0;
      return (command) => handler(command, `conflicts-${command.kind}-${(commands += 1)}`);
    };

    const tracks: SignalTrackStore = models.signalTracks;
    const hookedTracks = Object.assign(Object.create(tracks) as SignalTrackStore, {
      putMany: async (...args: Parameters<SignalTrackStore['putMany']>) => {
        const inside = insideNextUpdate;
        insideNextUpdate = undefined;
        await inside?.();
        return tracks.putMany(...args);
      },
    });
    const hookedModels: ProcessorModels = { ...models, signalTracks: hookedTracks };
    writer = new WriterWithQueuedRewrite(
      hookedModels,
      new RollupStore(hookedModels),
      new ExclusiveGate(),
      silentLogger(),
    );
    handle = handlerFor(hookedModels, writer);
    writerModels = hookedModels;
    otherReplica = handlerFor(
      models,
      new SignalWriter(models, new RollupStore(models), new ExclusiveGate(), silentLogger()),
    );
  });

  afterAll(() => disposables.disposeAll());

  const signals = () => db.collection('signals');
  const signalById = (id: string) => signals().findOne({ _id: new mongoose.Types.ObjectId(id) });
  const created = async (send: Handler, deviceId: string, payload: XRayPayload): Promise<string> => {
    const reply = await send({ kind: 'create', deviceId, payload });
    if (!reply.ok) throw new Error(`create failed: ${reply.message}`);
    return reply.signalId;
  };
  const readRawPayload = async (id: mongoose.Types.ObjectId): Promise<unknown> => {
    const bucket = new mongoose.mongo.GridFSBucket(db.db as mongoose.mongo.Db, { bucketName: RAW_PAYLOAD_BUCKET });
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStream(id)) chunks.push(chunk as Buffer);
    return JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
  };
  const trackExists = async (id: mongoose.Types.ObjectId): Promise<boolean> =>
    (await db.collection(SIGNAL_TRACKS_COLLECTION).countDocuments({ _id: id })) === 1;

  /**
   * Every payload file, payload chunk and track belongs to a stored signal and every signal has
   * its own: nothing orphaned, nothing missing. Also the rollups equal a recomputation and no
   * repair marker is left.
   */
  const expectStoreConsistent = async (): Promise<void> => {
    const stored = await signals()
      .find({}, { projection: { rawPayloadId: 1, trackId: 1 } })
      .toArray();
    const hex = (ids: unknown[]) => ids.map((id) => (id as mongoose.Types.ObjectId).toHexString()).sort();
    const files = await db
      .collection(`${RAW_PAYLOAD_BUCKET}.files`)
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const chunks = await db
      .collection(`${RAW_PAYLOAD_BUCKET}.chunks`)
      .find({}, { projection: { files_id: 1 } })
      .toArray();
    const tracks = await db
      .collection(SIGNAL_TRACKS_COLLECTION)
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const payloadIds = hex(stored.map((s) => s.rawPayloadId));
    expect({
      files: hex(files.map((f) => f._id)),
      chunks: hex(chunks.map((c) => c.files_id)),
      tracks: hex(tracks.map((t) => t._id)),
    }).toEqual({ files: payloadIds, chunks: payloadIds, tracks: hex(stored.map((s) => s.trackId)) });
    expect(await rollupDifferences(db.db as never)).toEqual([]);
    expect(await db.collection('rollup_repairs').countDocuments()).toBe(0);
  };

  let sentinels = 0;
  /** How many events announced `signalId` under an update's correlation id (counted once a later event arrived). */
  const updateEventsFor = async (signalId: string): Promise<number> => {
    sentinels += 1;
    const sentinel = await created(handle, 'conflict-sentinel', payloadAt(Date.UTC(2025, 5, 1, sentinels), 1));
    // Redis delivers one publisher's messages in order: the sentinel's event comes after any earlier one.
    await waitFor('the sentinel event', () => events.received.some((r) => r.event.signalId === sentinel));
    return events.received.filter(
      (r) => r.event.signalId === signalId && String(r.event.correlationId).startsWith('conflicts-update'),
    ).length;
  };

  it('refuses an update onto another signal’s readings with BAD_USER_INPUT, keeping both signals, payloads and tracks', async () => {
    const payloadA = payloadAt(Date.UTC(2025, 1, 1, 9), 45);
    const payloadB = payloadAt(Date.UTC(2025, 1, 1, 10), 46);
    const a = dataOf(await execute(gatewayUrl, CreateSignalDocument, { input: inputOf('conflict-dup', payloadA) }))
      .createSignal.id;
    const b = dataOf(await execute(gatewayUrl, CreateSignalDocument, { input: inputOf('conflict-dup', payloadB) }))
      .createSignal.id;
    const [beforeA, beforeB] = [await signalById(a), await signalById(b)];

    const response = await execute(gatewayUrl, UpdateSignalDocument, {
      id: a,
      input: inputOf('conflict-dup', payloadB),
    });

    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toBe('another signal with the same device, time and data exists');
    expect(await signalById(a)).toEqual(beforeA);
    expect(await signalById(b)).toEqual(beforeB);
    // B's payload is the very file the update would have written (same bytes): it must survive.
    expect(await readRawPayload(beforeB?.rawPayloadId)).toEqual({ 'conflict-dup': payloadB });
    expect(await readRawPayload(beforeA?.rawPayloadId)).toEqual({ 'conflict-dup': payloadA });
    expect(await trackExists(beforeA?.trackId)).toBe(true);
    expect(await trackExists(beforeB?.trackId)).toBe(true);
    await expectStoreConsistent();
  });

  it('refuses an update whose readings another replica stores meanwhile, deleting nothing that signal uses', async () => {
    const payloadA = payloadAt(Date.UTC(2025, 1, 2, 9), 47);
    const payloadB = payloadAt(Date.UTC(2025, 1, 2, 10), 48);
    const a = await created(handle, 'conflict-race', payloadA);
    const beforeA = await signalById(a);
    let b: string | undefined;
    // After this process checked for a holder of the readings, before it replaces the signal.
    insideNextUpdate = async () => {
      b = await created(otherReplica, 'conflict-race', payloadB);
    };

    const reply = await handle({ kind: 'update', signalId: a, deviceId: 'conflict-race', payload: payloadB });

    expect(reply).toEqual({
      ok: false,
      code: 'BAD_USER_INPUT',
      message: 'another signal with the same device, time and data exists',
    });
    expect(await signalById(a)).toEqual(beforeA);
    const storedB = await signalById(b as string);
    expect(await readRawPayload(storedB?.rawPayloadId)).toEqual({ 'conflict-race': payloadB });
    expect(await trackExists(storedB?.trackId)).toBe(true);
    expect(await readRawPayload(beforeA?.rawPayloadId)).toEqual({ 'conflict-race': payloadA });
    expect(await trackExists(beforeA?.trackId)).toBe(true);
    await expectStoreConsistent();
  });

  it('answers NOT_FOUND to an update of a signal deleted while it waited for the lock, writing nothing', async () => {
    const a = await created(handle, 'conflict-gone', payloadAt(Date.UTC(2025, 1, 3, 9), 49));
    let deleted: SignalCommandReply | undefined;
    writer.beforeNextRewrite = async () => {
      deleted = await handle({ kind: 'delete', signalId: a });
    };

    const reply = await handle({
      kind: 'update',
      signalId: a,
      deviceId: 'conflict-gone-moved',
      payload: payloadAt(Date.UTC(2025, 1, 3, 10), 50),
    });

    expect(deleted).toEqual({ ok: true, signalId: a, deleted: true });
    expect(reply).toEqual({ ok: false, code: 'NOT_FOUND', message: `no signal ${a}` });
    expect(await signals().countDocuments({ deviceId: { $in: ['conflict-gone', 'conflict-gone-moved'] } })).toBe(0);
    expect(await db.collection('devices').countDocuments({ _id: 'conflict-gone-moved' as never })).toBe(0);
    expect(await updateEventsFor(a)).toBe(0);
    await expectStoreConsistent();
  });

  it('answers NOT_FOUND when another replica deletes the signal inside the update, leaving nothing behind', async () => {
    const a = await created(handle, 'conflict-gone2', payloadAt(Date.UTC(2025, 1, 4, 9), 51));
    let deleted: SignalCommandReply | undefined;
    insideNextUpdate = async () => {
      deleted = await otherReplica({ kind: 'delete', signalId: a });
    };

    const reply = await handle({
      kind: 'update',
      signalId: a,
      deviceId: 'conflict-gone2',
      payload: payloadAt(Date.UTC(2025, 1, 4, 10), 52),
    });

    expect(deleted).toEqual({ ok: true, signalId: a, deleted: true });
    expect(reply).toEqual({ ok: false, code: 'NOT_FOUND', message: `no signal ${a}` });
    expect(await signals().countDocuments({ deviceId: 'conflict-gone2' })).toBe(0);
    expect(await updateEventsFor(a)).toBe(0);
    await expectStoreConsistent();
  });

  it('answers NOT_FOUND to a delete of a signal deleted while it waited for the lock', async () => {
    const a = await created(handle, 'conflict-del', payloadAt(Date.UTC(2025, 1, 5, 9), 53));
    let first: SignalCommandReply | undefined;
    writer.beforeNextRewrite = async () => {
      first = await handle({ kind: 'delete', signalId: a });
    };

    const second = await handle({ kind: 'delete', signalId: a });

    expect(first).toEqual({ ok: true, signalId: a, deleted: true });
    expect(second).toEqual({ ok: false, code: 'NOT_FOUND', message: `no signal ${a}` });
    await expectStoreConsistent();
  });

  it('locks the devices again when another replica moved the signal meanwhile, keeping every rollup exact', async () => {
    const a = await created(handle, 'conflict-move-a', payloadAt(Date.UTC(2025, 1, 6, 9), 54));
    writer.beforeNextRewrite = async () => {
      // Moves the signal to a device the waiting update did not lock (and does not name).
      const moved = await otherReplica({
        kind: 'update',
        signalId: a,
        deviceId: 'conflict-move-z',
        payload: payloadAt(Date.UTC(2025, 1, 6, 10), 55),
      });
      expect(moved).toEqual({ ok: true, signalId: a });
    };
    const payload = payloadAt(Date.UTC(2025, 1, 6, 11), 56);

    const reply = await handle({ kind: 'update', signalId: a, deviceId: 'conflict-move-b', payload });

    expect(reply).toEqual({ ok: true, signalId: a });
    const after = await signalById(a);
    expect(after).toMatchObject({ deviceId: 'conflict-move-b', time: new Date(payload.time) });
    expect(await readRawPayload(after?.rawPayloadId)).toEqual({ 'conflict-move-b': payload });
    // The device it was moved to no longer counts it.
    expect(await db.collection('devices').countDocuments({ _id: 'conflict-move-z' as never })).toBe(0);
    expect(await db.collection('devices').findOne({ _id: 'conflict-move-b' as never })).toMatchObject({
      signalCount: 1,
    });
    await expectStoreConsistent();
  });

  it('lets retention delete an expired signal an update rewrote after its scan, with the new payload and track', async () => {
    const id = await created(handle, 'conflict-retention', payloadAt(Date.UTC(2025, 1, 7, 9), 57));
    // Accepted 40 days ago: an update keeps ingestedAt, so the signal stays expired.
    await signals().updateOne(
      { _id: new mongoose.Types.ObjectId(id) },
      { $set: { ingestedAt: new Date(Date.now() - 40 * 86_400_000) } },
    );
    writer.beforeNextRewrite = async () => {
      const reply = await handle({
        kind: 'update',
        signalId: id,
        deviceId: 'conflict-retention',
        payload: payloadAt(Date.UTC(2025, 1, 7, 10), 58),
      });
      expect(reply).toEqual({ ok: true, signalId: id });
    };
    const retention = new RetentionJob({
      models: writerModels,
      writer,
      metrics: createProcessorMetrics(),
      logger: silentLogger(),
      retentionDays: 30,
      batchSize: 10,
    });

    expect(await retention.runOnce()).toBe(1);

    expect(await signalById(id)).toBeNull();
    await expectStoreConsistent();
  });
});
