import { failedChecks, type ReadinessChecks } from '../schema';

/** How long one verdict is reused: during an outage every failing message asks, at once. */
const VERDICT_FRESH_MS = 1_000;

/**
 * Whether a dependency the processing of a message needs (the database, Redis) is down right now,
 * from the same checks as `/readyz`. A message whose last attempt failed during an outage is not
 * at fault, so it is held for another try instead of being dead-lettered. Concurrent questions
 * share one check, and a verdict is reused for a second.
 */
export class DependencyWatch {
  private verdict: { at: number; outage: Promise<string | undefined> } | undefined;

  constructor(
    private readonly checks: ReadinessChecks,
    private readonly now: () => number = Date.now,
  ) {}

  /** A description of what is down (`redis: no answer within 2000 ms`), or undefined when all answer. */
  outage(): Promise<string | undefined> {
    const at = this.now();
    if (this.verdict === undefined || at - this.verdict.at >= VERDICT_FRESH_MS) {
      this.verdict = { at, outage: this.check() };
    }
    return this.verdict.outage;
  }

  private async check(): Promise<string | undefined> {
    const failed = await failedChecks(this.checks);
    const described = Object.entries(failed).map(([name, message]) => `${name}: ${message}`);
    return described.length === 0 ? undefined : described.join('; ');
  }
}
