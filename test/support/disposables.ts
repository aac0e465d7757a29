/**
 * What a test started, closed in reverse order in `afterAll`, so a failing test leaks nothing.
 */
export class Disposables {
  private readonly closers: Array<() => Promise<void> | void> = [];

  /** Registers `close` and returns `value`, so a start and its cleanup stay on one line. */
  add<T>(value: T, close: (value: T) => Promise<void> | void): T {
    this.closers.push(() => close(value));
    return value;
  }

  async disposeAll(): Promise<void> {
    const errors: unknown[] = [];
    while (this.closers.length > 0) {
      const close = this.closers.pop() as () => Promise<void> | void;
      try {
        await close();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'some test resources did not close');
  }
}
