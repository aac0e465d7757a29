/**
 * Runs one scenario in this process (the load generator), forked by bench/run.ts:
 * `node scenario-runner.js <scenario id>` with BENCH_OPTIONS (JSON) in the environment.
 * Sends `{type:'result', result}` over IPC.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadBenchConfig } from './bench.config';
import { profileFilesIn } from './lib/cpu-profile';
import { removeFlameGraphs, renderFlameGraphs } from './lib/flame-graph';
import type { BenchOptions, Scenario } from './lib/scenario';

// Loaded lazily so a scenario whose services are missing fails alone.
/* eslint-disable @typescript-eslint/no-require-imports */
const SCENARIOS: Record<string, () => Scenario> = {
  throughput: () =>
    (require('./scenarios/throughput.scenario') as typeof import('./scenarios/throughput.scenario')).throughputScenario,
  latency: () =>
    (require('./scenarios/latency.scenario') as typeof import('./scenarios/latency.scenario')).latencyScenario,
  fanout: () => (require('./scenarios/fanout.scenario') as typeof import('./scenarios/fanout.scenario')).fanoutScenario,
  queries: () =>
    (require('./scenarios/queries.scenario') as typeof import('./scenarios/queries.scenario')).queriesScenario,
  http: () =>
    (require('./scenarios/http-overhead.scenario') as typeof import('./scenarios/http-overhead.scenario'))
      .httpOverheadScenario,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Scenario ids in the order a full run takes them. */
export const SCENARIO_IDS = Object.keys(SCENARIOS);

async function main(): Promise<void> {
  const id = process.argv[2] ?? '';
  const load = SCENARIOS[id];
  if (!load) throw new Error(`unknown scenario '${id}' (known: ${SCENARIO_IDS.join(', ')})`);
  const options = JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as BenchOptions;
  const config = loadBenchConfig();
  const scenario = load();
  for (const file of profileFilesIn(config.resultsDir, `${id}.`)) rmSync(path.join(config.resultsDir, file));
  removeFlameGraphs(config.resultsDir, `${id}.`);
  process.send?.({ type: 'ready' });
  const startedAt = performance.now();
  const result = await scenario({
    config,
    options,
    // bench/results/*.cpuprofile is gitignored; each scenario's profiles carry its id as prefix.
    profile: options.profile ? { dir: config.resultsDir, prefix: `${id}.` } : undefined,
    log: (message) => process.stderr.write(`[bench:${id}] ${message}\n`),
  });
  const durationSeconds = (performance.now() - startedAt) / 1000;
  if (options.profile) {
    // Rendered after the measurement, so building the pages takes nothing from the figures.
    // The profile tables name each page; a page that failed says so beside them.
    const flameGraphs = await renderFlameGraphs(config.resultsDir, `${id}.`);
    for (const { file, error } of flameGraphs.failed) result.notes.push(`No flame graph for ${file}: ${error}`);
  }
  process.send?.({ type: 'result', result: { ...result, durationSeconds } });
  // Give IPC time to flush before exiting; children exit on disconnect.
  setTimeout(() => process.exit(0), 200);
}

if (require.main === module) {
  // Orphaned (the orchestrator is gone): exit, and the services and workers exit with this process's IPC.
  process.on('disconnect', () => process.exit(1));
  main().catch((error: unknown) => {
    process.send?.({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    setTimeout(() => process.exit(1), 200);
  });
}
