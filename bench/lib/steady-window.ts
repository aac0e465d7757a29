/**
 * A rate over the steady part of a window, as the pipeline's is counted: from the first completion
 * after 25 % of the window to the last one within it (ramp-up and drain left out).
 */
export class SteadyWindow {
  private startedAt = 0;
  private from: { at: number; count: number } | undefined;
  private to: { at: number; count: number } | undefined;

  constructor(private readonly durationMs: number) {}

  start(at: number): this {
    this.startedAt = at;
    return this;
  }

  /** `count` completions so far, now. */
  record(count: number): void {
    const at = performance.now();
    const elapsed = at - this.startedAt;
    if (elapsed < this.durationMs * 0.25 || elapsed > this.durationMs) return;
    this.from ??= { at, count };
    this.to = { at, count };
  }

  rate(): { perSecond: number; count: number; seconds: number } {
    if (!this.from || !this.to || this.to.at <= this.from.at) {
      throw new Error('too few completions in the steady window to give a rate');
    }
    const seconds = (this.to.at - this.from.at) / 1000;
    const count = this.to.count - this.from.count;
    return { perSecond: count / seconds, count, seconds };
  }
}
