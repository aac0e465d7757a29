import { GroupCpuMeter, INFRASTRUCTURE_COMMANDS, pidsByCommand } from './scenario';

export interface QuietOptions {
  /** Quiet means below this, % of one core, all infrastructure processes together. */
  maxPercent: number;
  /** Length of one reading. */
  windowMs: number;
  /** Longest wait; the scenario then starts anyway, and its note says so. */
  timeoutMs: number;
}

export interface QuietOutcome {
  quiet: boolean;
  /** The bound it waited for, % of one core. */
  maxPercent: number;
  waitedMs: number;
  /** The last reading, % of one core. */
  lastPercent: number;
}

const DEFAULTS: QuietOptions = { maxPercent: 15, windowMs: 2_000, timeoutMs: 120_000 };

/**
 * Waits until PostgreSQL, FerretDB, RabbitMQ and Redis are quiet, so that no scenario measures work
 * left over from the one before it (checkpoints, autovacuum, a queue still draining) or from anything
 * else on the machine; each scenario's notes say how long that took.
 */
export async function waitForQuietInfrastructure(options: Partial<QuietOptions> = {}): Promise<QuietOutcome> {
  const { maxPercent, windowMs, timeoutMs } = { ...DEFAULTS, ...options };
  const startedAt = performance.now();
  for (;;) {
    // Read afresh each window: postgres starts a process per connection.
    const meter = new GroupCpuMeter(pidsByCommand(INFRASTRUCTURE_COMMANDS)).start();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const lastPercent = Object.values(meter.stop()).reduce((sum, percent) => sum + percent, 0);
    const waitedMs = performance.now() - startedAt;
    if (lastPercent < maxPercent) return { quiet: true, maxPercent, waitedMs, lastPercent };
    if (waitedMs >= timeoutMs) return { quiet: false, maxPercent, waitedMs, lastPercent };
  }
}
