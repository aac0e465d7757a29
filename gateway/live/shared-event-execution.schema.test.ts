import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import { parse, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { buildGatewaySchema } from '../schema/build-gateway-schema';
import { liveOf, processedEvent } from '../../test/support/processed-signal-event.fixture';
import { SharedEventExecution } from './shared-event-execution';

const liveEvent = liveOf(processedEvent('dev-1', 1_000));

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
  const first = await execution.executeEvent(argsFor(), liveEvent.signal, 'key');
  const second = await execution.executeEvent(argsFor(), liveEvent.signal, 'key');
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
        id: liveEvent.event.signalId,
        deviceId: 'dev-1',
        time: new Date(1_000).toISOString(),
        dataLength: 1,
        stats: { distanceMeters: 0, maxSpeed: 3 },
        end: { lat: 1 },
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
