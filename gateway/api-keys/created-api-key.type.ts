import { Field, ID, ObjectType } from 'type-graphql';
import { ApiKeyRole } from '../../schema';

@ObjectType({ description: 'A key just created. `key` is shown only here, once: only its SHA-256 is stored.' })
export class CreatedApiKey {
  @Field(() => ID)
  public id!: string;

  @Field({ description: 'The key to send as X-API-Key (or connectionParams.apiKey). Store it now.' })
  public key!: string;

  @Field()
  public name!: string;

  @Field(() => ApiKeyRole)
  public role!: ApiKeyRole;

  @Field(() => Date)
  public createdAt!: Date;
}
