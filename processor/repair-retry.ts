import type { Logger } from '../schema';

export interface RepairRetryOptions {
  /** Wait before the first run after a request, and again after a run that left nothing outstanding. */
  initialDelayMs: number;
  /** Longest wait between runs that keep failing. */
  maxDelayMs: number;
}

/**
 * Runs a repair again, later, after a write left rollups marked inconsistent: without it such a
 * marker waited for the next restart, or for a duplicate delivery to meet it. One run at a time;
 * while runs fail (or leave something outstanding), the wait doubles up to `maxDelayMs`.
 */
export class RepairRetry {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A request arrived during a run: what failed then may postdate what the run read. */
  private requestedDuringRun = false;
  private delayMs: number;
  private closed = false;

  /** `repair` resolves true once nothing is left outstanding. */
  constructor(
    private readonly repair: () => Promise<boolean>,
    private readonly options: RepairRetryOptions,
    private readonly logger: Logger,
  ) {
    this.delayMs = options.initialDelayMs;
  }

  /** Asks for a run; several requests before it starts make one run. */
  request(): void {
    if (this.closed) return;
    if (this.running) {
      this.requestedDuringRun = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Marked as running before the repair starts: a request it makes synchronously waits for it.
      this.running = Promise.resolve()
        .then(() => this.run())
        .then((again) => {
          this.running = undefined;
          if (again) this.request();
        });
    }, this.delayMs);
    this.timer.unref();
  }

  /** Cancels a run not yet started and waits for one under way. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One repair; resolves whether to run again (it failed, or a failure asked for another meanwhile). Never rejects. */
  private async run(): Promise<boolean> {
    this.requestedDuringRun = false;
    let done: boolean;
    try {
      done = await this.repair();
    } catch (error) {
      this.logger.error({ err: error, retryInMs: this.nextDelay() }, 'rollup repair failed; trying again later');
      done = false;
    }
    this.delayMs = done ? this.options.initialDelayMs : this.nextDelay();
    return !done || this.requestedDuringRun;
  }

  private nextDelay(): number {
    return Math.min(this.options.maxDelayMs, this.delayMs * 2);
  }
}
