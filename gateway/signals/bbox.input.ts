import { Field, Float, InputType } from 'type-graphql';

@InputType({
  description:
    'A latitude/longitude box, inclusive edges. `minLon` is the western and `maxLon` the eastern edge; `minLon > maxLon` means the box crosses the antimeridian (it spans minLon..180 and -180..maxLon). Longitudes 180 and -180 are the same meridian.',
})
export class BBoxInput {
  @Field(() => Float, { description: 'Southern edge, degrees, -90..90.' })
  public minLat!: number;

  @Field(() => Float, { description: 'Northern edge, degrees, -90..90, >= minLat.' })
  public maxLat!: number;

  @Field(() => Float, {
    description: 'Western edge, degrees, -180..180; greater than `maxLon` for a box across the antimeridian.',
  })
  public minLon!: number;

  @Field(() => Float, {
    description: 'Eastern edge, degrees, -180..180; less than `minLon` for a box across the antimeridian.',
  })
  public maxLon!: number;
}
