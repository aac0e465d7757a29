import { modelOptions, prop } from '@typegoose/typegoose';
import { Field, Float, ObjectType } from 'type-graphql';

/**
 * Bounding box of a signal's kept samples, stored as four numbers so filters are plain ranges.
 * GeoJSON convention (RFC 7946 §5.2): `minLon` is the western edge and `maxLon` the eastern one, so
 * a box crossing the antimeridian has `minLon > maxLon`.
 */
@ObjectType({
  description:
    'A latitude/longitude bounding box. `minLon` is the western and `maxLon` the eastern edge; `minLon > maxLon` means the box crosses the antimeridian (it spans minLon..180 and -180..maxLon).',
})
@modelOptions({ schemaOptions: { _id: false } })
export class BBox {
  @Field(() => Float, { description: 'Southern edge, degrees.' })
  @prop({ required: true, type: () => Number })
  public minLat!: number;

  @Field(() => Float, { description: 'Northern edge, degrees.' })
  @prop({ required: true, type: () => Number })
  public maxLat!: number;

  @Field(() => Float, {
    description: 'Western edge, degrees; greater than `maxLon` when the box crosses the antimeridian.',
  })
  @prop({ required: true, type: () => Number })
  public minLon!: number;

  @Field(() => Float, {
    description: 'Eastern edge, degrees; less than `minLon` when the box crosses the antimeridian.',
  })
  @prop({ required: true, type: () => Number })
  public maxLon!: number;

  /**
   * `true` exactly when `minLon > maxLon`, written by the processor only on such boxes (older
   * documents lack it and are plain). Stored because a filter cannot compare two fields of a
   * document without `$expr`, which FerretDB v1 lacks; not exposed, as `minLon > maxLon` says it.
   */
  @prop({ type: () => Boolean })
  public crossesAntimeridian?: boolean;
}
