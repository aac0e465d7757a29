import { registerEnumType } from 'type-graphql';

/** Order of signal lists: by message `time`, ties broken by id the same way. */
export enum SignalOrder {
  TIME_DESC = 'TIME_DESC',
  TIME_ASC = 'TIME_ASC',
}

registerEnumType(SignalOrder, {
  name: 'SignalOrder',
  description: 'Order of signal lists, by message time (ties by id).',
  valuesConfig: {
    TIME_DESC: { description: 'Newest first.' },
    TIME_ASC: { description: 'Oldest first.' },
  },
});
