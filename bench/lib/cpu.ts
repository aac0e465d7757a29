import { readFileSync } from 'node:fs';

/** Linux clock ticks per second (`getconf CLK_TCK`), 100 on every mainstream kernel. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat; undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return cpuMsFromProcStat(stat);
}

/** Parses utime + stime out of a /proc/<pid>/stat line (the command name may hold spaces and parentheses). */
export function cpuMsFromProcStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`unparsable /proc stat: ${stat.slice(0, 80)}`);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU use of named processes over a window, as % of one core (200 % = both cores of a 2-core machine). */
export type CpuReport = Record<string, number>;

/** Measures the CPU each named process uses between `start()` and `stop()`. */
export class CpuMeter {
  private startedAt = 0;
  private readonly startCpu = new Map<string, number>();

  constructor(private readonly pids: Record<string, number>) {}

  start(): void {
    this.startedAt = performance.now();
    for (const [name, pid] of Object.entries(this.pids)) this.startCpu.set(name, processCpuMs(pid) ?? 0);
  }

  stop(): CpuReport {
    const wallMs = performance.now() - this.startedAt;
    const report: CpuReport = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const used = (processCpuMs(pid) ?? 0) - (this.startCpu.get(name) ?? 0);
      report[name] = wallMs > 0 ? Math.round((used / wallMs) * 1000) / 10 : 0;
    }
    return report;
  }
}
