import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import { parse, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { Types } from 'mongoose';
import { buildGatewaySchema } from '../schema/build-gateway-schema';
import { toLiveEvent } from './live-event';
import { SharedEventExecution } from './shared-event-execution';

const liveEvent = toLiveEvent({
  signalId: new Types.ObjectId().toHexString(),
  deviceId: 'dev-1',
  time: 1_000,
  ingestedAt: 2_000,
  dataLength: 2,
  dataVolume: 40,
  stats: { distanceMeters: 5, maxSpeed: 3, avgSpeed: 2, durationMs: 500, droppedSamples: 0 },
  bbox: { minLat: 1, maxLat: 1.5, minLon: 2, maxLon: 2.5 },
  start: { time: 1_000, lat: 1, lon: 2, speed: 1 },
  end: { time: 1_500, lat: 1.5, lon: 2.5, speed: 3 },
});

/** A context as the websocket server builds one, counting device lookups. */
function contextFor(lookups: { count: number }): object {
  return {
    auth: { id: 'key', role: 'READER' },
    loaders: {
      deviceById: {
        load: async () => {
          lookups.count += 1;
          return null;
        },
      },
    },
  };
}

async function executeTwice(schema: GraphQLSchema, query: string): Promise<[ExecutionResult, ExecutionResult, number]> {
  const execution = new SharedEventExecution();
  const lookups = { count: 0 };
  const argsFor = (): ExecutionArgs => ({ schema, document: parse(query), contextValue: contextFor(lookups) });
  const first = await execution.executeEvent(argsFor(), liveEvent?.signal, 'key');
  const second = await execution.executeEvent(argsFor(), liveEvent?.signal, 'key');
  return [first, second, lookups.count];
}

describe('SharedEventExecution on the gateway schema', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGatewaySchema({ pubSub: createPubSub() });
  });

  it('shares the result of a signalProcessed selection of event fields', async () => {
    const [first, second] = await executeTwice(
      schema,
      'subscription { signalProcessed { id deviceId time dataLength stats { distanceMeters maxSpeed } end { lat } } }',
    );
    expect(first.errors).toBeUndefined();
    expect(first.data).toEqual({
      signalProcessed: {
        id: liveEvent?.event.signalId,
        deviceId: 'dev-1',
        time: new Date(1_000).toISOString(),
        dataLength: 2,
        stats: { distanceMeters: 5, maxSpeed: 3 },
        end: { lat: 1.5 },
      },
    });
    expect(second).toBe(first);
  });

  it('executes a selection that loads the device for each subscription with its own loaders', async () => {
    const [first, second, lookups] = await executeTwice(
      schema,
      'subscription { signalProcessed { id device { id } } }',
    );
    expect(first.errors).toBeUndefined();
    expect(second).not.toBe(first);
    expect(second.data).toEqual(first.data);
    expect(lookups).toBe(2);
  });
});
