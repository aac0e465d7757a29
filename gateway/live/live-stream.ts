/**
 * An async iterator fed by pushes (Redis events) and pulls (database pages), ending at once when
 * the consumer returns: unlike an async generator, `return()` does not wait for a pending
 * `next()`, so a subscriber that goes away mid-wait or mid-replay frees everything immediately.
 */
export abstract class LiveStream<T> implements AsyncIterableIterator<T> {
  protected closed = false;
  private wake: (() => void) | undefined;
  private woken = false;
  private failure: { error: unknown } | undefined;
  private readonly cleanups: Array<() => void> = [];

  /** The next value available now (possibly after awaiting a page), or undefined to wait for a push. */
  protected abstract pull(): Promise<T | undefined>;

  /** Runs `cleanup` once when the stream ends. */
  onClose(cleanup: () => void): void {
    if (this.closed) cleanup();
    else this.cleanups.push(cleanup);
  }

  /** Wakes a waiting `next()` (or the next one to wait). */
  protected notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    if (wake) wake();
    else this.woken = true;
  }

  /** Ends the stream with `error`: the consumer's pending or next `next()` rejects with it. */
  protected fail(error: unknown): void {
    if (this.closed || this.failure) return;
    this.failure = { error };
    this.notify();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    while (!this.closed) {
      if (this.failure) {
        const { error } = this.failure;
        this.close();
        throw error;
      }
      let value: T | undefined;
      try {
        value = await this.pull();
      } catch (error) {
        this.close();
        throw error;
      }
      if (this.closed) break;
      if (value !== undefined) return { value, done: false };
      if (this.woken || this.failure) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.woken = false;
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<T, undefined>> {
    this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Whether the stream has ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  protected close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.notify();
  }
}
