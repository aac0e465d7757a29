import type { PubSub } from '@graphql-yoga/subscription';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type NonEmptyArray } from 'type-graphql';
import { ApiKeyResolver } from '../api-keys/api-key.resolver';
import { DeviceResolver } from '../devices/device.resolver';
import type { GatewayServices } from '../gateway-services';
import { liveResolvers } from '../live/live.resolvers';
import { SignalMutationResolver } from '../mutations/signal-mutation.resolver';
import { DateTimeScalar } from '../scalars/date-time.scalar';
import { SignalResolver } from '../signals/signal.resolver';
import { StatsResolver } from '../stats/stats.resolver';
import { TrackResolver } from '../track/track.resolver';
import { roleAuthChecker } from './auth-checker';

/** Every resolver class of the gateway's schema, queries, mutations and subscriptions. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const gatewayResolvers: NonEmptyArray<Function> = [
  SignalResolver,
  DeviceResolver,
  StatsResolver,
  TrackResolver,
  SignalMutationResolver,
  ApiKeyResolver,
  ...liveResolvers,
];

/** Builds resolver instances with this gateway's services, one per class per schema. */
function containerFor(services: GatewayServices | undefined): ContainerType {
  const instances = new Map<unknown, unknown>();
  return {
    get(someClass: new (services: GatewayServices | undefined) => unknown) {
      let instance = instances.get(someClass);
      if (instance === undefined) {
        instance = new someClass(services);
        instances.set(someClass, instance);
      }
      return instance;
    },
  };
}

export interface GatewaySchemaOptions {
  /** Services resolvers run with; omitted when the schema is only printed (SDL emission). */
  services?: GatewayServices;
  /** type-graphql's PubSub (the live Redis-backed one in a running gateway). */
  pubSub?: PubSub<Record<string, [unknown] | [string, unknown]>>;
}

/** The gateway's executable schema. `DateTime` is the one date scalar (ISO-8601). */
export async function buildGatewaySchema(options: GatewaySchemaOptions): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: gatewayResolvers,
    container: containerFor(options.services),
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    authChecker: roleAuthChecker,
    authMode: 'error',
    validate: false,
    emitSchemaFile: false,
    ...(options.pubSub ? { pubSub: options.pubSub } : {}),
  });
}
