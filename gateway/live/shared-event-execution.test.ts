import {
  GraphQLInt,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { mapEvents, SharedEventExecution, type EventResults } from './shared-event-execution';

interface Tick {
  n: number;
}

/** A schema whose `tick.n` reads only the event and `tick.caller` reads the context. */
function tickSchema(counts: { n: number; caller: number }): GraphQLSchema {
  const tick = new GraphQLObjectType<Tick, { caller: string }>({
    name: 'Tick',
    fields: {
      n: {
        type: GraphQLInt,
        resolve: (root) => {
          counts.n += 1;
          return root.n;
        },
      },
      caller: {
        type: GraphQLString,
        resolve: (_root, _args, context) => {
          counts.caller += 1;
          return context.caller;
        },
      },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        tick: {
          type: tick,
          args: { every: { type: GraphQLInt } },
          subscribe: (_root, _args, context: { events: Tick[] }) => iterate(context.events),
          resolve: (event: Tick) => event,
        },
      },
    }),
  });
}

async function* iterate<T>(values: readonly T[]): AsyncGenerator<T> {
  for (const value of values) yield value;
}

async function subscribeAll(
  execution: SharedEventExecution,
  schema: GraphQLSchema,
  query: string,
  subscribers: Array<{ caller: string; shareKey: string | undefined; variables?: Record<string, unknown> }>,
  events: Tick[],
): Promise<ExecutionResult[][]> {
  return Promise.all(
    subscribers.map(async ({ caller, shareKey, variables }) => {
      const args: ExecutionArgs = {
        schema,
        document: parse(query),
        variableValues: variables,
        contextValue: { caller, events },
      };
      const stream = (await execution.subscribe(args, shareKey)) as EventResults<ExecutionResult>;
      const results: ExecutionResult[] = [];
      for await (const result of stream) results.push(result);
      return results;
    }),
  );
}

describe('SharedEventExecution', () => {
  it('executes an event once for every subscription with the same share key', async () => {
    const counts = { n: 0, caller: 0 };
    const events = [{ n: 1 }, { n: 2 }];
    const [first, second] = await subscribeAll(
      new SharedEventExecution(),
      tickSchema(counts),
      'subscription { tick { n } }',
      [
        { caller: 'a', shareKey: 'same' },
        { caller: 'b', shareKey: 'same' },
      ],
      events,
    );
    expect(first?.map((result) => result.data)).toEqual([{ tick: { n: 1 } }, { tick: { n: 2 } }]);
    expect(second).toEqual(first);
    expect(second?.[0]).toBe(first?.[0]);
    expect(counts.n).toBe(2);
  });

  it('executes per subscription, with its own context, an operation that reads the context', async () => {
    const counts = { n: 0, caller: 0 };
    const [first, second] = await subscribeAll(
      new SharedEventExecution(),
      tickSchema(counts),
      'subscription { tick { n caller } }',
      [
        { caller: 'a', shareKey: 'same' },
        { caller: 'b', shareKey: 'same' },
      ],
      [{ n: 1 }, { n: 2 }],
    );
    expect(first?.map((result) => result.data)).toEqual([
      { tick: { n: 1, caller: 'a' } },
      { tick: { n: 2, caller: 'a' } },
    ]);
    expect(second?.map((result) => result.data)).toEqual([
      { tick: { n: 1, caller: 'b' } },
      { tick: { n: 2, caller: 'b' } },
    ]);
    expect(counts.caller).toBe(4);
  });

  it('executes each event with the context derived for it', async () => {
    let derived = 0;
    const execution = new SharedEventExecution({
      contextForEvent: (operationContext) => {
        derived += 1;
        const context = operationContext as { caller: string };
        return { ...context, caller: `${context.caller}#${derived}` };
      },
    });
    const [results] = await subscribeAll(
      execution,
      tickSchema({ n: 0, caller: 0 }),
      'subscription { tick { caller } }',
      [{ caller: 'a', shareKey: 'key' }],
      [{ n: 1 }, { n: 2 }],
    );
    expect(results?.map((result) => result.data)).toEqual([{ tick: { caller: 'a#1' } }, { tick: { caller: 'a#2' } }]);
  });

  it('shares nothing between different share keys or without one', async () => {
    const counts = { n: 0, caller: 0 };
    await subscribeAll(
      new SharedEventExecution(),
      tickSchema(counts),
      'subscription ($every: Int) { tick(every: $every) { n } }',
      [
        { caller: 'a', shareKey: 'one', variables: { every: 1 } },
        { caller: 'b', shareKey: 'two', variables: { every: 2 } },
        { caller: 'c', shareKey: undefined },
      ],
      [{ n: 1 }],
    );
    expect(counts.n).toBe(3);
  });

  it('returns the execution errors of an operation that fails to subscribe', async () => {
    const result = await new SharedEventExecution().subscribe(
      {
        schema: tickSchema({ n: 0, caller: 0 }),
        document: parse('subscription Ticks { tick { n } }'),
        operationName: 'Missing',
        contextValue: { events: [] },
      },
      'key',
    );
    expect(result).toMatchObject({ errors: [expect.objectContaining({ message: expect.any(String) })] });
  });
});

describe('mapEvents', () => {
  it('ends the source at once when the consumer returns, even while it waits', async () => {
    let returned = false;
    const source: AsyncIterableIterator<number> = {
      next: () => new Promise<IteratorResult<number>>(() => undefined),
      return: async () => {
        returned = true;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return source;
      },
    };
    const mapped = mapEvents(source, async (value) => value);
    void mapped.next();
    await expect(mapped.return()).resolves.toEqual({ value: undefined, done: true });
    expect(returned).toBe(true);
  });

  it('closes the source when mapping a value fails', async () => {
    let returned = false;
    async function* numbers(): AsyncGenerator<number> {
      try {
        yield 1;
        yield 2;
      } finally {
        returned = true;
      }
    }
    const mapped = mapEvents(numbers(), async () => {
      throw new Error('mapping failed');
    });
    await expect(mapped.next()).rejects.toThrow('mapping failed');
    expect(returned).toBe(true);
  });
});
