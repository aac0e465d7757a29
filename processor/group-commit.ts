interface Submission<T> {
  items: ReadonlyArray<T>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit items and wait until they are written; one write runs at a time and
 * takes everything submitted while the previous one ran. Under load each write covers more items
 * instead of queueing one write per caller — for the rollups, more signals merge into each device
 * and bucket statement. A failed write rejects every submission it covered.
 */
export class GroupCommit<T> {
  private readonly pending: Array<Submission<T>> = [];
  private writing = false;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  /** Resolves once a write that included `items` succeeded. */
  submit(items: ReadonlyArray<T>): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const written = new Promise<void>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
    });
    void this.drain();
    return written;
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        try {
          await this.write(group.flatMap((submission) => [...submission.items]));
          for (const submission of group) submission.resolve();
        } catch (error) {
          for (const submission of group) submission.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
