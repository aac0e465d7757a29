import { type Histogram, build } from 'hdr-histogram-js';

/** Answers of one run: accepted, refused by status, failed without an answer, and latency percentiles. */
export interface SimulationReport {
  sent: number;
  accepted: number;
  /** Refusals by HTTP status. */
  refused: Record<string, number>;
  /** Requests that got no HTTP answer at all (connection refused, reset ...). */
  networkErrors: number;
  elapsedS: number;
  /** Answers per second over the run. */
  achievedRate: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/** Counts and an HDR latency histogram (microsecond resolution, up to 10 minutes). */
export class SimulationStats {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  private readonly startedAt = performance.now();
  private accepted = 0;
  private networkErrors = 0;
  private readonly refused = new Map<number, number>();

  recordAnswer(status: number, latencyMs: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
    if (status === 202) this.accepted += 1;
    else this.refused.set(status, (this.refused.get(status) ?? 0) + 1);
  }

  recordNetworkError(): void {
    this.networkErrors += 1;
  }

  report(): SimulationReport {
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    const refusedCount = [...this.refused.values()].reduce((a, b) => a + b, 0);
    const answered = this.accepted + refusedCount;
    const ms = (percentile: number): number => Math.round(this.histogram.getValueAtPercentile(percentile) / 10) / 100;
    return {
      sent: answered + this.networkErrors,
      accepted: this.accepted,
      refused: Object.fromEntries(
        [...this.refused.entries()].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n]),
      ),
      networkErrors: this.networkErrors,
      elapsedS: Math.round(elapsedS * 10) / 10,
      achievedRate: elapsedS > 0 ? Math.round((answered / elapsedS) * 10) / 10 : 0,
      latencyMs: { p50: ms(50), p90: ms(90), p99: ms(99), max: Math.round(this.histogram.maxValue / 10) / 100 },
    };
  }
}

/** One human-readable line of a report. */
export function formatReport(report: SimulationReport): string {
  const refused = Object.entries(report.refused)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  return (
    `sent ${report.sent} in ${report.elapsedS}s (${report.achievedRate}/s): accepted ${report.accepted}, ` +
    `refused ${refused || 'none'}, network errors ${report.networkErrors}; ` +
    `latency ms p50 ${report.latencyMs.p50} p90 ${report.latencyMs.p90} p99 ${report.latencyMs.p99} max ${report.latencyMs.max}`
  );
}
