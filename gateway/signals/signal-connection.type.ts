import { Field, ObjectType } from 'type-graphql';
import { Signal } from '../../schema';
import { PageInfo } from '../pagination/page-info.type';

@ObjectType({ description: 'A signal and its position in the list.' })
export class SignalEdge {
  @Field({ description: 'Opaque cursor of this signal, stable under inserts.' })
  public cursor!: string;

  @Field(() => Signal)
  public node!: Signal;
}

@ObjectType({ description: 'A page of signals (Relay connection).' })
export class SignalConnection {
  @Field(() => [SignalEdge])
  public edges!: SignalEdge[];

  @Field(() => PageInfo)
  public pageInfo!: PageInfo;
}
