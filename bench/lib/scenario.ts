import { readdirSync, readFileSync } from 'node:fs';
import type { BenchConfig } from '../bench.config';
import { processCpuMs } from './cpu';
import type { ScenarioResult } from './report';

/** Options of one bench run (from the command line). */
export interface BenchOptions {
  /** Smaller sizes and shorter windows (about 4 minutes in all). */
  quick: boolean;
  /** Signals seeded for the queries scenario's largest step. */
  signals: number;
  /** Write V8 CPU profiles of the services (bench/results/profiles, gitignored) and summarize them. */
  profile: boolean;
}

/** CPU profiles land in `dir` as `<prefix><process>.<epoch ms>.cpuprofile`. */
export interface ProfileTarget {
  dir: string;
  prefix: string;
}

/** What a scenario gets. */
export interface ScenarioContext {
  config: BenchConfig;
  options: BenchOptions;
  /** Where the services' CPU profiles go when profiling, else undefined. */
  profile: ProfileTarget | undefined;
  log(message: string): void;
}

/** A scenario: measures, and returns its result (the runner adds the duration). */
export type Scenario = (context: ScenarioContext) => Promise<Omit<ScenarioResult, 'durationSeconds'>>;

/** Pids of processes whose command name is one of `names` (infrastructure: ferretdb, postgres, beam.smp, redis-server). */
export function pidsByCommand(names: ReadonlyArray<string>): Record<string, number[]> {
  const found: Record<string, number[]> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (names.includes(command)) (found[command] ??= []).push(Number(entry));
  }
  return found;
}

/**
 * CPU of groups of processes over a window, % of one core. Groups sum their processes (postgres
 * runs one process per connection).
 */
export class GroupCpuMeter {
  private startedAt = 0;
  private readonly before = new Map<number, number>();

  constructor(private readonly groups: Record<string, number[]>) {}

  start(): this {
    this.startedAt = performance.now();
    for (const pids of Object.values(this.groups)) for (const pid of pids) this.before.set(pid, processCpuMs(pid) ?? 0);
    return this;
  }

  /**
   * % of one core per group since start(); a process that exited meanwhile counts nothing (its last
   * figures are gone). A shared group is listed again: processes started in the window (PostgreSQL
   * backends for new FerretDB connections) count all their CPU.
   */
  stop(): Record<string, number> {
    const wallMs = performance.now() - this.startedAt;
    const result: Record<string, number> = {};
    const commandOfGroup = new Map(
      INFRASTRUCTURE_COMMANDS.filter((command) => sharedGroupName(command) in this.groups).map((command) => [
        sharedGroupName(command),
        command,
      ]),
    );
    const startedSince = pidsByCommand([...commandOfGroup.values()]);
    for (const [name, listed] of Object.entries(this.groups)) {
      const command = commandOfGroup.get(name);
      const pids = new Set([...listed, ...(command === undefined ? [] : (startedSince[command] ?? []))]);
      let used = 0;
      for (const pid of pids) {
        const after = processCpuMs(pid);
        if (after !== undefined) used += Math.max(0, after - (this.before.get(pid) ?? 0));
      }
      result[name] = Math.round((used / wallMs) * 1000) / 10;
    }
    return result;
  }
}

/** The shared infrastructure processes, as `/proc/<pid>/comm` names them. */
export const INFRASTRUCTURE_COMMANDS = ['ferretdb', 'postgres', 'beam.smp', 'redis-server'];

/** The CPU table's name for the group of a shared infrastructure command's processes. */
function sharedGroupName(command: string): string {
  return `${command} (shared)`;
}

/** The groups a scenario's CPU table shows: its own processes plus the shared infrastructure. */
export function cpuGroupsFor(own: Record<string, number>): Record<string, number[]> {
  const infra = pidsByCommand(INFRASTRUCTURE_COMMANDS);
  const groups: Record<string, number[]> = {};
  for (const [name, pid] of Object.entries(own)) groups[name] = [pid];
  for (const [command, pids] of Object.entries(infra)) groups[sharedGroupName(command)] = pids;
  return groups;
}

/** Renders a CPU report as one table row per process group. */
export function cpuRows(cpu: Record<string, number>): Array<[string, number]> {
  return Object.entries(cpu).map(([name, percent]) => [name, percent]);
}
