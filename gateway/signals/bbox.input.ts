import { Field, Float, InputType } from 'type-graphql';

@InputType({ description: 'A latitude/longitude box; `minLon` must not exceed `maxLon` (no antimeridian wrap).' })
export class BBoxInput {
  @Field(() => Float, { description: 'Southern edge, degrees, -90..90.' })
  public minLat!: number;

  @Field(() => Float, { description: 'Northern edge, degrees, -90..90, >= minLat.' })
  public maxLat!: number;

  @Field(() => Float, { description: 'Western edge, degrees, -180..180.' })
  public minLon!: number;

  @Field(() => Float, { description: 'Eastern edge, degrees, -180..180, >= minLon.' })
  public maxLon!: number;
}
