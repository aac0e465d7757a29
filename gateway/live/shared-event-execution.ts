import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

/** How one execution of an operation for one event went. */
interface EventOutcome {
  result: ExecutionResult;
  /** Whether a resolver read the operation's context (its key, loaders, ...). */
  readContext: boolean;
}

/** A subscription's mapped results; `return()` and `throw()` always exist (graphql-ws calls `return()`). */
export type EventResults<R> = AsyncIterableIterator<R, void> &
  Required<Pick<AsyncIterator<R, void>, 'return' | 'throw'>>;

/** Share keys known to read the context; bounded, since clients choose documents and variables. */
const MAX_REMEMBERED_CONTEXT_READERS = 10_000;

/**
 * graphql-js `subscribe` that executes each event once for every subscription with the same share
 * key (document, operation name and variables), rather than once per subscription.
 *
 * A result is shared only when executing it read nothing from the context: each first execution
 * runs with the context behind a proxy that notes any read. An operation whose resolvers use the
 * context (per-operation DataLoaders, the caller's key) is executed per subscription with its own
 * context, as graphql-js would, and is not observed again. Events are the root values the live
 * streams yield: one object per Redis message, shared by every stream that received it, so the
 * results live exactly as long as some stream still holds that event.
 */
export class SharedEventExecution {
  private readonly outcomesByEvent = new WeakMap<object, Map<string, Promise<EventOutcome>>>();
  private readonly contextReaders = new Set<string>();
  private readonly contextForEvent: (operationContext: unknown) => unknown;

  /**
   * `contextForEvent` derives the context one event executes with from the operation's (e.g. with
   * fresh DataLoaders, so a long-lived subscription caches nothing from one event to the next);
   * the operation's own context when omitted.
   */
  constructor(options: { contextForEvent?: (operationContext: unknown) => unknown } = {}) {
    this.contextForEvent = options.contextForEvent ?? ((operationContext) => operationContext);
  }

  /** `subscribe` for graphql-ws; `shareKey` undefined executes every event privately. */
  async subscribe(
    args: ExecutionArgs,
    shareKey: string | undefined,
  ): Promise<EventResults<ExecutionResult> | ExecutionResult> {
    const resultOrStream = await createSourceEventStream(args);
    if (!isAsyncIterable(resultOrStream)) return resultOrStream;
    return mapEvents(resultOrStream, (event) => this.executeEvent(args, event, shareKey));
  }

  /** The result of `args` for `event`, shared with earlier subscriptions of `shareKey` when possible. */
  async executeEvent(args: ExecutionArgs, event: unknown, shareKey: string | undefined): Promise<ExecutionResult> {
    if (shareKey === undefined || typeof event !== 'object' || event === null || this.contextReaders.has(shareKey)) {
      return this.executePrivately(args, event);
    }
    let outcomes = this.outcomesByEvent.get(event);
    const earlier = outcomes?.get(shareKey);
    if (earlier) {
      const outcome = await earlier;
      return outcome.readContext ? this.executePrivately(args, event) : outcome.result;
    }
    const pending = this.executeObserved(args, event, shareKey);
    if (!outcomes) {
      outcomes = new Map();
      this.outcomesByEvent.set(event, outcomes);
    }
    outcomes.set(shareKey, pending);
    try {
      return (await pending).result;
    } catch (error) {
      outcomes.delete(shareKey);
      throw error;
    }
  }

  private async executePrivately(args: ExecutionArgs, event: unknown): Promise<ExecutionResult> {
    return execute({ ...args, rootValue: event, contextValue: this.contextForEvent(args.contextValue) });
  }

  private async executeObserved(args: ExecutionArgs, event: object, shareKey: string): Promise<EventOutcome> {
    const observed = { readContext: false };
    const contextValue = observeReads(this.contextForEvent(args.contextValue), observed);
    const result = await execute({ ...args, rootValue: event, contextValue });
    if (observed.readContext) {
      if (this.contextReaders.size >= MAX_REMEMBERED_CONTEXT_READERS) this.contextReaders.clear();
      this.contextReaders.add(shareKey);
    }
    return { result, readContext: observed.readContext };
  }
}

/** `context` behind a proxy that sets `observed.readContext` on any read of it. */
function observeReads(context: unknown, observed: { readContext: boolean }): unknown {
  if ((typeof context !== 'object' && typeof context !== 'function') || context === null) return context;
  const noteRead = (): void => {
    observed.readContext = true;
  };
  return new Proxy(context, {
    get(target, property, receiver) {
      noteRead();
      return Reflect.get(target, property, receiver) as unknown;
    },
    has(target, property) {
      noteRead();
      return Reflect.has(target, property);
    },
    ownKeys(target) {
      noteRead();
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, property) {
      noteRead();
      return Reflect.getOwnPropertyDescriptor(target, property);
    },
    getPrototypeOf(target) {
      noteRead();
      return Reflect.getPrototypeOf(target);
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as Partial<AsyncIterable<unknown>> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * `source` with each value mapped, as graphql-js maps a subscription's events: `return()` and
 * `throw()` reach the source at once (a live stream frees its subscription immediately), and a
 * failed mapping closes the source.
 */
export function mapEvents<R>(source: AsyncIterable<unknown>, map: (value: unknown) => Promise<R>): EventResults<R> {
  const iterator = source[Symbol.asyncIterator]();
  const returnIgnoringErrors = async (): Promise<void> => {
    try {
      await iterator.return?.();
    } catch {
      // The mapping error is the one to report.
    }
  };
  const mapResult = async (result: IteratorResult<unknown>): Promise<IteratorResult<R, void>> => {
    if (result.done) return { value: undefined, done: true };
    try {
      return { value: await map(result.value), done: false };
    } catch (error) {
      await returnIgnoringErrors();
      throw error;
    }
  };
  const generator: EventResults<R> = {
    async next() {
      return mapResult(await iterator.next());
    },
    async return() {
      return iterator.return ? mapResult(await iterator.return()) : { value: undefined, done: true };
    },
    async throw(error: unknown) {
      if (iterator.throw) return mapResult(await iterator.throw(error));
      await returnIgnoringErrors();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator;
}
