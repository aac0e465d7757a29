import { Field, ID, ObjectType } from 'type-graphql';
import { ApiKeyRole } from '../../schema';

@ObjectType({ description: 'An API key as listed: never the key itself.' })
export class ApiKeyInfo {
  @Field(() => ID)
  public id!: string;

  @Field({ description: 'Name given at creation.' })
  public name!: string;

  @Field(() => ApiKeyRole)
  public role!: ApiKeyRole;

  @Field(() => Date, { nullable: true, description: 'When it was created (unknown for the calling key in `me`).' })
  public createdAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was revoked; null while it works.' })
  public revokedAt?: Date | null;
}
