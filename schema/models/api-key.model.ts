import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import { Types } from 'mongoose';
import { registerEnumType } from 'type-graphql';

/** What an API key may do. */
export enum ApiKeyRole {
  /** Queries and subscriptions. */
  READER = 'READER',
  /** Everything a READER may, plus mutations. */
  ADMIN = 'ADMIN',
}

registerEnumType(ApiKeyRole, {
  name: 'ApiKeyRole',
  description: 'What an API key may do.',
  valuesConfig: {
    READER: { description: 'Queries and subscriptions.' },
    ADMIN: { description: 'Queries, subscriptions and mutations.' },
  },
});

/** A gateway API key. Only its SHA-256 is stored; the key itself is shown once, at creation. */
@modelOptions({ schemaOptions: { collection: 'api_keys', versionKey: false } })
@index({ keyHash: 1 }, { unique: true })
export class ApiKey {
  @prop({ auto: true, type: () => Types.ObjectId })
  public _id!: Types.ObjectId;

  @prop({ required: true, type: () => String })
  public name!: string;

  @prop({ required: true, type: () => String, enum: ApiKeyRole })
  public role!: ApiKeyRole;

  /** Lowercase hex SHA-256 of the key. */
  @prop({ required: true, type: () => String })
  public keyHash!: string;

  @prop({ required: true, type: () => Date })
  public createdAt!: Date;

  /** Set when revoked; a revoked key authenticates nothing. */
  @prop({ type: () => Date })
  public revokedAt?: Date;
}

/** The typegoose model of {@link ApiKey}. */
export const ApiKeyModel = getModelForClass(ApiKey);
