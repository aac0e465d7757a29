import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow `endCursor` (forward pages: exact).' })
  public hasNextPage!: boolean;

  @Field({ description: 'Whether items precede `startCursor` (backward pages: exact).' })
  public hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; null on an empty page.' })
  public startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; null on an empty page.' })
  public endCursor!: string | null;
}
