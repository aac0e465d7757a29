/**
 * A readers–writer gate: ordinary processing runs shared (many at once); a rollup repair runs
 * exclusive, after every shared holder has finished and before any new one starts. A repair
 * recomputes rollups from stored signals, so no increment may land while it reads and writes —
 * otherwise an in-flight signal would be counted by both the recomputation and its own increment.
 * Writers are preferred, so a steady stream of messages cannot starve a repair.
 */
export class ExclusiveGate {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waitingShared: Array<() => void> = [];
  private readonly waitingExclusive: Array<() => void> = [];

  /** Runs `work` alongside other shared work, never alongside exclusive work. */
  async shared<T>(work: () => Promise<T>): Promise<T> {
    if (this.exclusiveHeld || this.waitingExclusive.length > 0) {
      await new Promise<void>((resolve) => this.waitingShared.push(resolve));
    } else {
      this.sharedHolders += 1;
    }
    try {
      return await work();
    } finally {
      this.sharedHolders -= 1;
      this.dispatch();
    }
  }

  /** Runs `work` alone. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.exclusiveHeld || this.sharedHolders > 0) {
      await new Promise<void>((resolve) => this.waitingExclusive.push(resolve));
    } else {
      this.exclusiveHeld = true;
    }
    try {
      return await work();
    } finally {
      this.exclusiveHeld = false;
      this.dispatch();
    }
  }

  private dispatch(): void {
    if (this.exclusiveHeld || this.sharedHolders > 0) return;
    const nextExclusive = this.waitingExclusive.shift();
    if (nextExclusive !== undefined) {
      this.exclusiveHeld = true;
      nextExclusive();
      return;
    }
    while (this.waitingShared.length > 0) {
      this.sharedHolders += 1;
      (this.waitingShared.shift() as () => void)();
    }
  }
}
