import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class DevicesArgs {
  @Field(() => Int, {
    nullable: true,
    // No schema default: `first` would then always arrive, and `last` could not be told from a
    // request that mixes both directions (refused).
    description:
      'Page size (forward; 20 when neither `first` nor `last` is given; with `before` and no `last`, the size of that backward page: the items just before the cursor). At most the server cap (default 200).',
  })
  public first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return the devices after this cursor.' })
  public after?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size of a backward page (with `before`).' })
  public last?: number | null;

  @Field(() => String, { nullable: true, description: 'Return the devices before this cursor (backward page).' })
  public before?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Only devices whose last message arrived within the online window.',
  })
  public onlineOnly?: boolean | null;
}
