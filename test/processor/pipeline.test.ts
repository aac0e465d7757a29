import type mongoose from 'mongoose';
import {
  allSignalsChannelFor,
  AMQP_HEADERS,
  decodeTrack,
  deviceSignalChannelFor,
  FLEET_DEVICE_ID,
  hourBucketIdFor,
  RAW_DEAD_LETTER_QUEUE,
  validateXRayMessage,
} from '../../schema';
import { deriveSignal } from '../../processor/signal-derivation';
import { rawPayloadIdFor } from '../../processor/idempotency-key';
import { rollupIncrementsFor } from '../../processor/rollup-increments';
import { contributionOf, signalDocumentFor } from '../../processor/signal-document';
import type { RunningProcessor } from '../../processor/processor.service';
import { Disposables } from '../support/disposables';
import { loadSampleXRay } from '../support/sample-xray';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectTestBroker, drainQueue, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, subscribeEvents, TEST_HMAC_SECRET } from './support/processor-harness';
import { processedTotal } from './support/processor-metrics';
import { rollupDifferences } from './support/rollup-invariant';
import { waitFor } from '../support/wait-for';

const xray = (deviceId: string, time: number, data: Array<[number, [number, number, number]]>) =>
  Buffer.from(JSON.stringify({ [deviceId]: { data, time } }));

describe('processor pipeline', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  let processor: RunningProcessor;
  let events: Awaited<ReturnType<typeof subscribeEvents>>;
  const sample = loadSampleXRay();

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_pipeline'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    events = disposables.add(
      await subscribeEvents(infra.redisUrl, [
        allSignalsChannelFor(infra.namespace),
        deviceSignalChannelFor(infra.namespace, sample.deviceId),
      ]),
      (e) => e.close(),
    );
    processor = disposables.add(await startTestProcessor(infra), (p) => p.close());
  });

  afterAll(() => disposables.disposeAll());

  const signals = () => db.collection('signals');
  /** Publishes and waits until the processor finished `count` more raw messages. */
  const publishAndSettle = async (send: () => Promise<unknown>, count = 1): Promise<void> => {
    const before = await processedTotal(processor.url, { queue: 'raw' });
    await send();
    await waitFor(
      `${count} message(s) processed`,
      async () => (await processedTotal(processor.url, { queue: 'raw' })) >= before + count,
    );
  };

  it('stores the real sample with exactly its figures and publishes it on both channels', async () => {
    const acceptedAt = Date.now();
    await publishAndSettle(() => broker.publishXRay(sample.deviceId, sample.raw, { acceptedAt }));
    const stored = await signals().findOne({ deviceId: sample.deviceId });
    expect(stored).toMatchObject({
      dataLength: 563,
      dataVolume: 72_488,
      stats: { durationMs: 1_110_967, droppedSamples: 0 },
      rollupState: 'applied',
    });
    expect(stored?.stats.distanceMeters).toBeCloseTo(578.13, 2);
    expect(stored?.stats.maxSpeed).toBeCloseTo(4.335532, 6);
    expect(stored?.stats.avgSpeed).toBeCloseTo(1.16033, 5);
    expect(stored?.ingestedAt).toEqual(new Date(acceptedAt));
    const track = await db.collection('signal_tracks').findOne({ _id: stored?.trackId });
    expect(track?.deviceId).toBe(sample.deviceId);
    expect(decodeTrack(track?.track.buffer)).toHaveLength(563);
    expect(stored?.track).toBeUndefined();
    expect(await db.collection('raw_payloads.files').countDocuments({ _id: stored?.rawPayloadId })).toBe(1);

    const signalId = stored?._id.toHexString();
    await waitFor(
      'the event on both channels',
      () => events.received.filter((r) => r.event.signalId === signalId).length === 2,
    );
    expect(events.received.map((r) => r.channel).sort()).toEqual(
      [allSignalsChannelFor(infra.namespace), deviceSignalChannelFor(infra.namespace, sample.deviceId)].sort(),
    );
    expect(events.received[0]?.event).toMatchObject({
      deviceId: sample.deviceId,
      dataLength: 563,
      dataVolume: 72_488,
      trackId: stored?.trackId.toHexString(),
    });

    const device = await db.collection('devices').findOne({ _id: sample.deviceId as never });
    expect(device).toMatchObject({
      signalCount: 1,
      sampleCount: 563,
      dataVolume: 72_488,
      lastSeen: new Date(acceptedAt),
    });
    const fleetBucket = await db
      .collection('hour_buckets')
      .findOne({ _id: hourBucketIdFor(FLEET_DEVICE_ID, stored?.time as Date) as never });
    expect(fleetBucket).toMatchObject({ count: 1, dataVolume: 72_488 });
    expect(await rollupDifferences(db.db as never)).toEqual([]);
  });

  it('stores a redelivered or re-sent message once, and repeats carry the same signal id', async () => {
    const body = xray('dev-resent', Date.UTC(2025, 0, 1, 10), [
      [0, [50, 10, 1]],
      [1000, [50.0001, 10, 2]],
    ]);
    await publishAndSettle(() => broker.publishXRay('dev-resent', body));
    // Another copy with other bytes for the same readings (another nonce, other spacing), and the very same bytes.
    const respelled = Buffer.from(body.toString('utf8').replace('"time"', ' "time" '));
    await publishAndSettle(async () => {
      await broker.publishXRay('dev-resent', respelled);
      await broker.publishXRay('dev-resent', body);
    }, 2);
    expect(await signals().countDocuments({ deviceId: 'dev-resent' })).toBe(1);
    const ids = new Set(events.received.filter((r) => r.event.deviceId === 'dev-resent').map((r) => r.event.signalId));
    expect(ids.size).toBe(1);
    expect(await db.collection('raw_payloads.files').countDocuments({ 'metadata.deviceId': 'dev-resent' })).toBe(1);
    expect(await rollupDifferences(db.db as never)).toEqual([]);
  });

  it('recomputes the rollups of a signal whose earlier attempt died before it was applied', async () => {
    const body = xray('dev-interrupted', Date.UTC(2025, 0, 2, 8), [
      [0, [48, 11, 3]],
      [2000, [48.0001, 11, 4]],
    ]);
    const validation = validateXRayMessage(JSON.parse(body.toString('utf8')), { nowMs: Date.now() });
    if (!validation.ok) throw new Error('test message invalid');
    const derived = deriveSignal(validation.message, body, 300);
    // What a processor killed between the device increment and the bucket increments leaves behind.
    const doc = signalDocumentFor(derived, {
      rawPayloadId: rawPayloadIdFor(derived.idempotencyKey, derived.rawSha256),
      ingestedAt: Date.now(),
    });
    await signals().insertOne(doc as never);
    await db.collection('devices').bulkWrite(rollupIncrementsFor(contributionOf(doc)).devices as never);

    await publishAndSettle(() => broker.publishXRay('dev-interrupted', body));
    expect(await signals().countDocuments({ deviceId: 'dev-interrupted' })).toBe(1);
    expect(await db.collection('devices').findOne({ _id: 'dev-interrupted' as never })).toMatchObject({
      signalCount: 1,
    });
    expect(await rollupDifferences(db.db as never)).toEqual([]);
  });

  it.each([
    [
      'a bad signature',
      () =>
        broker.publishXRay('dev-poison', xray('dev-poison', Date.UTC(2025, 0, 1), [[0, [1, 2, 3]]]), {
          headers: { [AMQP_HEADERS.signature]: 'ab'.repeat(32) },
        }),
      /signature/,
    ],
    [
      'no signature',
      () =>
        broker.publishXRay('dev-poison', xray('dev-poison', Date.UTC(2025, 0, 1), [[0, [1, 2, 3]]]), {
          headers: { [AMQP_HEADERS.signature]: undefined },
        }),
      /missing header x-signature/,
    ],
    [
      'a body that is not JSON',
      () => broker.publishXRay('dev-poison', Buffer.from('{"dev-poison": ')),
      /not valid JSON/,
    ],
    [
      'a latitude out of range',
      () => broker.publishXRay('dev-poison', xray('dev-poison', Date.UTC(2025, 0, 1), [[0, [91, 2, 3]]])),
      /data\[0\]\[1\]\[0\]: lat must be in \[-90, 90\]/,
    ],
    [
      'a time over 10 min after it was accepted',
      () =>
        broker.publishXRay('dev-poison', xray('dev-poison', Date.UTC(2025, 0, 3), [[0, [1, 2, 3]]]), {
          acceptedAt: Date.UTC(2025, 0, 1),
        }),
      /time must not be more than 10 min/,
    ],
  ])('dead-letters a message with %s, keeping its body and giving the reason', async (_name, send, reason) => {
    await publishAndSettle(send);
    const dead = await drainQueue(broker.channel, RAW_DEAD_LETTER_QUEUE);
    expect(dead).toHaveLength(1);
    expect(String(dead[0]?.properties.headers?.[AMQP_HEADERS.deadLetterReason])).toMatch(reason);
    expect(dead[0]?.properties.headers?.[AMQP_HEADERS.deviceId]).toBe('dev-poison');
    expect(await signals().countDocuments({ deviceId: 'dev-poison' })).toBe(0);
  });

  it('accepts a message whose time is in the future of now but within 10 min of when it was accepted', async () => {
    const acceptedAt = Date.now();
    await publishAndSettle(() =>
      broker.publishXRay('dev-future', xray('dev-future', acceptedAt + 5 * 60_000, [[0, [1, 2, 3]]]), { acceptedAt }),
    );
    expect(await signals().countDocuments({ deviceId: 'dev-future' })).toBe(1);
  });

  it('answers /healthz, /readyz with each dependency, and /metrics of its own registry', async () => {
    expect(await (await fetch(`${processor.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${processor.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', dependencies: { mongo: 'ok', redis: 'ok', amqp: 'ok' } });
    const metrics = await (await fetch(`${processor.url}/metrics`)).text();
    expect(metrics).toMatch(/^xray_processor_messages_total\{queue="raw",outcome="stored"\} \d+/m);
    expect(metrics).toMatch(/^xray_processor_dead_letters_total\{reason="poison"\} 5$/m);
    expect(metrics).toContain('xray_processor_processing_seconds_bucket');
  });
});
