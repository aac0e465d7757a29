import { LatencyRecorder } from './histogram';
import { cpuMsFromProcStat } from './cpu';

describe('latency recorder', () => {
  it('reports percentiles of recorded latencies in milliseconds', () => {
    const recorder = new LatencyRecorder();
    for (let ms = 1; ms <= 100; ms += 1) recorder.recordMs(ms);
    const summary = recorder.summary();
    expect(summary.count).toBe(100);
    expect(summary.p50).toBeCloseTo(50, 1);
    expect(summary.p99).toBeCloseTo(99, 1);
    expect(summary.max).toBeCloseTo(100, 1);
  });

  it('reports zeros when nothing was recorded', () => {
    expect(new LatencyRecorder().summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });
});

describe('cpu time from /proc stat', () => {
  it('adds utime and stime even when the command name holds spaces and parentheses', () => {
    const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    expect(cpuMsFromProcStat(stat)).toBe(3000);
  });
});
