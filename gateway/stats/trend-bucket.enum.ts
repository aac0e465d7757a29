import { registerEnumType } from 'type-graphql';

/** Width of a trend bucket. */
export enum TrendBucket {
  HOUR = 'HOUR',
  DAY = 'DAY',
}

registerEnumType(TrendBucket, {
  name: 'TrendBucket',
  description: 'Width of a trend bucket (UTC).',
  valuesConfig: { HOUR: { description: 'One hour.' }, DAY: { description: 'One UTC day.' } },
});
