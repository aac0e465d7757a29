import type { ReturnModelType } from '@typegoose/typegoose';
import type { Connection } from 'mongoose';
import {
  ApiKeyModel,
  DeviceModel,
  HourBucketModel,
  SignalModel,
  SignalTrackModel,
  type ApiKey,
  type Device,
  type HourBucket,
  type Signal,
  type SignalTrack,
} from '../../schema';

/** The shared model classes bound to this gateway's own connection (several gateways can share a process). */
export interface GatewayModels {
  signals: ReturnModelType<typeof Signal>;
  devices: ReturnModelType<typeof Device>;
  hourBuckets: ReturnModelType<typeof HourBucket>;
  signalTracks: ReturnModelType<typeof SignalTrack>;
  apiKeys: ReturnModelType<typeof ApiKey>;
}

/** Binds the shared schemas (indexes included) to `connection`. */
export function bindGatewayModels(connection: Connection): GatewayModels {
  return {
    signals: connection.model(SignalModel.modelName, SignalModel.schema) as unknown as GatewayModels['signals'],
    devices: connection.model(DeviceModel.modelName, DeviceModel.schema) as unknown as GatewayModels['devices'],
    hourBuckets: connection.model(
      HourBucketModel.modelName,
      HourBucketModel.schema,
    ) as unknown as GatewayModels['hourBuckets'],
    signalTracks: connection.model(
      SignalTrackModel.modelName,
      SignalTrackModel.schema,
    ) as unknown as GatewayModels['signalTracks'],
    apiKeys: connection.model(ApiKeyModel.modelName, ApiKeyModel.schema) as unknown as GatewayModels['apiKeys'],
  };
}
