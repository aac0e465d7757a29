import { serviceEnvFor, type BenchConfig } from '../bench.config';
import { startServiceProcess, type ServiceProcess } from './child-process';
import { summarizeProfiles } from './cpu-profile';
import { flameGraphFileOf } from './flame-graph';
import type { ResultTable } from './report';
import type { ProfileTarget } from './scenario';

/** Limits of the services under test, raised so the bench measures capacity rather than the abuse guards. */
export const BENCH_SERVICE_LIMITS: NodeJS.ProcessEnv = {
  INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
  GATEWAY_RATE_LIMIT_POINTS: '100000000',
  GATEWAY_MAX_COMPLEXITY: '1000000',
  RETENTION_INTERVAL_MS: '0',
};

/** Starts the named services, each in its own process, in order. */
export async function startServices(
  config: BenchConfig,
  kinds: ReadonlyArray<'ingest' | 'processor' | 'gateway'>,
  extraEnv: NodeJS.ProcessEnv,
  profile: ProfileTarget | undefined,
): Promise<Record<string, ServiceProcess>> {
  const env = { ...serviceEnvFor(config), ...BENCH_SERVICE_LIMITS, ...extraEnv };
  const started: Record<string, ServiceProcess> = {};
  try {
    for (const kind of kinds) started[kind] = await startServiceProcess(kind, env, profile);
  } catch (error) {
    for (const service of Object.values(started).reverse()) await service.stop().catch(() => undefined);
    throw error;
  }
  return started;
}

/** Top frames of the latest profiles of `names` written to `profile`, as tables plus one note line each. */
export function profileTables(
  profile: ProfileTarget | undefined,
  names: ReadonlyArray<string>,
): { tables: ResultTable[]; notes: string[]; data: unknown[] } {
  const tables: ResultTable[] = [];
  const notes: string[] = [];
  const data: unknown[] = [];
  if (!profile) return { tables, notes, data };
  for (const name of names) {
    const summaries = summarizeProfiles(profile.dir, `${profile.prefix}${name}.`, 8);
    const latest = summaries[summaries.length - 1];
    if (!latest) continue;
    data.push({ name, ...latest });
    tables.push({
      title: `${name} CPU profile (busy ${latest.busyPercent} % of samples): self time by package / file, and hottest frames; flame graph \`bench/results/${flameGraphFileOf(latest.file)}\``,
      columns: ['package or file', 'self %', 'frame', 'self %'],
      rows: Array.from({ length: Math.max(latest.byOwner.length, latest.byFrame.length) }, (_, index) => [
        latest.byOwner[index]?.frame ?? '',
        latest.byOwner[index]?.selfPercent ?? null,
        latest.byFrame[index]?.frame ?? '',
        latest.byFrame[index]?.selfPercent ?? null,
      ]),
    });
    notes.push(
      `${name} profile: ${latest.byOwner
        .slice(0, 4)
        .map((frame) => `${frame.frame} ${frame.selfPercent} %`)
        .join(', ')}`,
    );
  }
  return { tables, notes, data };
}
