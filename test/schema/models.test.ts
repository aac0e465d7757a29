import mongoose from 'mongoose';
import { DeviceModel, encodeTrack, SignalModel } from '../../schema';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';

describe('shared models on the Mongo-wire database', () => {
  let infra: SuiteInfra;

  beforeAll(async () => {
    infra = await createSuiteInfra('models');
    await mongoose.connect(infra.mongoUrl);
    await SignalModel.createIndexes();
  });

  afterAll(async () => {
    await mongoose.disconnect();
    await infra.dispose();
  });

  it('refuses a second signal with the same idempotency key', async () => {
    const signal = {
      deviceId: 'dev-1',
      time: new Date(1735683480000),
      day: '2024-12-31',
      dataLength: 1,
      dataVolume: 10,
      stats: { distanceMeters: 0, maxSpeed: 1, avgSpeed: 1, durationMs: 0, droppedSamples: 0, speedSum: 1 },
      bbox: { minLat: 1, maxLat: 1, minLon: 2, maxLon: 2 },
      start: { time: new Date(1735683480762), lat: 1, lon: 2, speed: 1 },
      end: { time: new Date(1735683480762), lat: 1, lon: 2, speed: 1 },
      ingestedAt: new Date(),
      track: encodeTrack([{ time: 1735683480762, lat: 1, lon: 2, speed: 1 }]),
      rawSha256: 'ab',
      rawPayloadId: new mongoose.Types.ObjectId(),
      idempotencyKey: 'k1',
      rollupState: 'pending' as const,
    };
    const stored = await SignalModel.create(signal);
    expect(stored.track?.length).toBe(32);
    await expect(SignalModel.create(signal)).rejects.toMatchObject({ code: 11000 });
    await DeviceModel.updateOne(
      { _id: 'dev-1' },
      {
        $inc: { signalCount: 1 },
        $max: { maxSpeed: 3 },
        $setOnInsert: { firstSeen: new Date(), lastSeen: new Date() },
      },
      { upsert: true },
    );
    expect((await DeviceModel.findById('dev-1').lean())?.signalCount).toBe(1);
  });
});
