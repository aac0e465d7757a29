import { gunzipSync } from 'node:zlib';
import amqp, { type ChannelModel } from 'amqplib';
import mongoose from 'mongoose';
import {
  allSignalsChannelFor,
  decodeTrack,
  positionCorrectionsChannelFor,
  RAW_PAYLOAD_BUCKET,
  type SignalCommand,
  type SignalCommandReply,
  type XRayPayload,
} from '../../schema';
import { Disposables } from '../support/disposables';
import { loadSampleXRay } from '../support/sample-xray';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { commandClient } from './support/command-client';
import { connectSuiteDb, startTestProcessor, subscribeEvents } from './support/processor-harness';
import { rollupDifferences } from './support/rollup-invariant';
import { waitFor } from '../support/wait-for';

describe('signal commands', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: mongoose.Connection;
  let send: (command: SignalCommand | Record<string, unknown>) => Promise<SignalCommandReply>;
  let events: Awaited<ReturnType<typeof subscribeEvents>>;
  const sample = loadSampleXRay();
  const samplePayload = sample.message[sample.deviceId] as XRayPayload;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_commands'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    events = disposables.add(
      await subscribeEvents(infra.redisUrl, [
        allSignalsChannelFor(infra.namespace),
        positionCorrectionsChannelFor(infra.namespace),
      ]),
      (e) => e.close(),
    );
    disposables.add(await startTestProcessor(infra), (p) => p.close());
    const connection: ChannelModel = disposables.add(await amqp.connect(infra.amqpUrl), (c) => c.close());
    send = await commandClient(await connection.createChannel());
  });

  afterAll(() => disposables.disposeAll());

  const signals = () => db.collection('signals');
  const readRawPayload = async (id: mongoose.Types.ObjectId): Promise<Buffer> => {
    const bucket = new mongoose.mongo.GridFSBucket(db.db as mongoose.mongo.Db, { bucketName: RAW_PAYLOAD_BUCKET });
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStream(id)) chunks.push(chunk as Buffer);
    return gunzipSync(Buffer.concat(chunks));
  };

  it('creates a signal through the same processing as a device message', async () => {
    const reply = await send({ kind: 'create', deviceId: 'cmd-sample', payload: samplePayload });
    expect(reply).toEqual({ ok: true, signalId: expect.stringMatching(/^[0-9a-f]{24}$/) });
    const signalId = (reply as { signalId: string }).signalId;
    const stored = await signals().findOne({ _id: new mongoose.Types.ObjectId(signalId) });
    expect(stored).toMatchObject({ deviceId: 'cmd-sample', dataLength: 563, stats: { durationMs: 1_110_967 } });
    expect(stored?.stats.distanceMeters).toBeCloseTo(578.13, 2);
    const raw = await readRawPayload(stored?.rawPayloadId);
    expect(JSON.parse(raw.toString('utf8'))).toEqual({ 'cmd-sample': samplePayload });
    expect(stored?.dataVolume).toBe(raw.byteLength);
    await waitFor('its event', () => events.received.some((r) => r.event.signalId === signalId));
    expect(await rollupDifferences(db.db as never)).toEqual([]);

    expect(await send({ kind: 'create', deviceId: 'cmd-sample', payload: samplePayload })).toEqual({
      ok: true,
      signalId,
    });
    expect(await signals().countDocuments({ deviceId: 'cmd-sample' })).toBe(1);
  });

  it('refuses an invalid create with the path of each bad field, storing nothing', async () => {
    const reply = await send({
      kind: 'create',
      deviceId: 'cmd-bad',
      payload: { time: Date.UTC(2025, 0, 1), data: [[0, [95, 10, 1]]] },
    });
    expect(reply).toEqual({
      ok: false,
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('data[0][1][0]: lat must be in [-90, 90]'),
    });
    expect(await send({ kind: 'explode' })).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
    expect(await signals().countDocuments({ deviceId: 'cmd-bad' })).toBe(0);
  });

  it('updates a signal by re-deriving everything, moving it between devices consistently', async () => {
    const created = (await send({
      kind: 'create',
      deviceId: 'cmd-up-a',
      payload: {
        time: Date.UTC(2025, 2, 1, 9),
        data: [
          [0, [10, 10, 1]],
          [1000, [10.00001, 10, 3]],
        ],
      },
    })) as { signalId: string };
    await send({
      kind: 'create',
      deviceId: 'cmd-up-a',
      payload: { time: Date.UTC(2025, 2, 1, 11), data: [[0, [11, 11, 2]]] },
    });
    const before = await signals().findOne({ _id: new mongoose.Types.ObjectId(created.signalId) });

    const reply = await send({
      kind: 'update',
      signalId: created.signalId,
      deviceId: 'cmd-up-b',
      payload: {
        time: Date.UTC(2025, 2, 2, 9),
        data: [
          [0, [20, 20, 5]],
          [500, [20, 20, 7]],
          [100, [20, 20, 9]],
        ],
      },
    });
    expect(reply).toEqual({ ok: true, signalId: created.signalId });
    const after = await signals().findOne({ _id: new mongoose.Types.ObjectId(created.signalId) });
    expect(after).toMatchObject({
      deviceId: 'cmd-up-b',
      dataLength: 3,
      stats: { maxSpeed: 9, avgSpeed: 7, durationMs: 60_100 },
    });
    expect(after?.ingestedAt).toEqual(before?.ingestedAt);
    expect(await db.collection(`${RAW_PAYLOAD_BUCKET}.files`).countDocuments({ _id: before?.rawPayloadId })).toBe(0);
    expect(JSON.parse((await readRawPayload(after?.rawPayloadId)).toString('utf8'))).toHaveProperty('cmd-up-b');
    // The new readings' track replaced the old one.
    expect(after?.trackId).toBeDefined();
    expect(after?.trackId?.equals(before?.trackId)).toBe(false);
    expect(await db.collection('signal_tracks').countDocuments({ _id: before?.trackId })).toBe(0);
    expect(
      decodeTrack((await db.collection('signal_tracks').findOne({ _id: after?.trackId }))?.track.buffer),
    ).toHaveLength(3);
    expect(await db.collection('devices').findOne({ _id: 'cmd-up-a' as never })).toMatchObject({
      signalCount: 1,
      maxSpeed: 2,
    });
    expect(await db.collection('devices').findOne({ _id: 'cmd-up-b' as never })).toMatchObject({
      signalCount: 1,
      maxSpeed: 9,
    });
    expect(await rollupDifferences(db.db as never)).toEqual([]);

    expect(
      await send({
        kind: 'update',
        signalId: '0123456789abcdef01234567',
        deviceId: 'x',
        payload: { time: 1, data: [] },
      }),
    ).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    });
  });

  it('deletes a signal with its raw payload and keeps the rollups equal to what remains', async () => {
    const created = (await send({
      kind: 'create',
      deviceId: 'cmd-del',
      payload: { time: Date.UTC(2025, 3, 1, 9), data: [[0, [30, 30, 4]]] },
    })) as { signalId: string };
    const stored = await signals().findOne({ _id: new mongoose.Types.ObjectId(created.signalId) });

    expect(await send({ kind: 'delete', signalId: created.signalId })).toEqual({
      ok: true,
      signalId: created.signalId,
      deleted: true,
    });
    expect(await signals().countDocuments({ deviceId: 'cmd-del' })).toBe(0);
    expect(stored?.trackId).toBeDefined();
    expect(await db.collection('signal_tracks').countDocuments({ _id: stored?.trackId })).toBe(0);
    expect(await db.collection(`${RAW_PAYLOAD_BUCKET}.files`).countDocuments({ _id: stored?.rawPayloadId })).toBe(0);
    expect(await db.collection(`${RAW_PAYLOAD_BUCKET}.chunks`).countDocuments({ files_id: stored?.rawPayloadId })).toBe(
      0,
    );
    expect(await db.collection('devices').countDocuments({ _id: 'cmd-del' as never })).toBe(0);
    expect(await db.collection('hour_buckets').countDocuments({ deviceId: 'cmd-del' })).toBe(0);
    expect(await rollupDifferences(db.db as never)).toEqual([]);

    expect(await send({ kind: 'delete', signalId: created.signalId })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await send({ kind: 'delete', signalId: 'not-an-id' })).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
  });

  it('stores a deleted signal again when it is created anew', async () => {
    const payload = { time: Date.UTC(2025, 4, 1), data: [[0, [1, 1, 1]]] };
    const first = (await send({ kind: 'create', deviceId: 'cmd-again', payload })) as { signalId: string };
    await send({ kind: 'delete', signalId: first.signalId });
    const second = await send({ kind: 'create', deviceId: 'cmd-again', payload });
    expect(second).toMatchObject({ ok: true });
    expect(await signals().countDocuments({ deviceId: 'cmd-again' })).toBe(1);
  });

  it('announces a device whose position an update or delete set back, and no other', async () => {
    const device = 'cmd-position';
    const create = async (deviceId: string, hour: number): Promise<string> => {
      const payload = { time: Date.UTC(2025, 5, 1, hour), data: [[0, [hour, 1, 1]]] };
      return ((await send({ kind: 'create', deviceId, payload })) as { signalId: string }).signalId;
    };
    const notices = (deviceId: string) =>
      events.received.filter(
        (r) => r.channel === positionCorrectionsChannelFor(infra.namespace) && r.event.deviceId === deviceId,
      ).length;
    /** Every notice published before this one has arrived once it has (one Redis connection, in order). */
    let sentinels = 0;
    const allNoticesSoFar = async (): Promise<void> => {
      sentinels += 1;
      const sentinel = `cmd-position-sentinel-${sentinels}`;
      await send({ kind: 'delete', signalId: await create(sentinel, 1) });
      await waitFor(`${sentinel}'s notice`, () => notices(sentinel) === 1);
    };
    const [nine, eleven, ten] = [await create(device, 9), await create(device, 11), await create(device, 10)];

    // Not the newest: the position stands.
    expect(await send({ kind: 'delete', signalId: ten })).toMatchObject({ ok: true });
    await allNoticesSoFar();
    expect(notices(device)).toBe(0);
    // The newest moved back behind the nine o'clock signal; then each delete leaves an older newest, then none.
    const backDated = { time: Date.UTC(2025, 5, 1, 8), data: [[0, [8, 1, 1]]] };
    expect(await send({ kind: 'update', signalId: eleven, deviceId: device, payload: backDated })).toMatchObject({
      ok: true,
    });
    expect(await send({ kind: 'delete', signalId: nine })).toMatchObject({ ok: true });
    expect(await send({ kind: 'delete', signalId: eleven })).toMatchObject({ ok: true });
    await allNoticesSoFar();
    expect(notices(device)).toBe(3);
  });
});
