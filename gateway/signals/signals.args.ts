import { ArgsType, Field, Int } from 'type-graphql';
import { SignalFilter } from './signal-filter.input';
import { SignalOrder } from './signal-order.enum';

@ArgsType()
export class SignalsArgs {
  @Field(() => SignalFilter, { nullable: true, description: 'Conditions every returned signal meets.' })
  public filter?: SignalFilter | null;

  @Field(() => Int, {
    nullable: true,
    // No schema default: `first` would then always arrive, and `last` could not be told from a
    // request that mixes both directions (refused).
    description:
      'Page size (forward; 20 when neither `first` nor `last` is given; with `before` and no `last`, the size of that backward page: the items just before the cursor). At most the server cap (default 200).',
  })
  public first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return the signals after this cursor.' })
  public after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Page size of a backward page (with `before`). At most the server cap.',
  })
  public last?: number | null;

  @Field(() => String, { nullable: true, description: 'Return the signals before this cursor (backward page).' })
  public before?: string | null;

  @Field(() => SignalOrder, {
    nullable: true,
    defaultValue: SignalOrder.TIME_DESC,
    description: 'Order by message time.',
  })
  public orderBy?: SignalOrder | null;
}
