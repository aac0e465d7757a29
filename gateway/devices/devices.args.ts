import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class DevicesArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: 20,
    description: 'Page size (forward). At most the server cap (default 200).',
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
