/**
 * The bench orchestrator (`npm run bench` → scripts/bench.sh → here):
 *
 *   node dist/bench/run.js [--scenario <id>[,<id>...]] [--quick] [--signals <n>] [--no-profile]
 *
 * Runs each scenario as its own process (the load generator; it starts the services under test as
 * further processes), bounded in time, then writes bench/results/latest.json and the results block
 * of docs/benchmarks.md. Running some scenarios only replaces those in the existing results.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadBenchConfig } from './bench.config';
import { forkBenchChild } from './lib/child-process';
import { deleteVhost, dropDatabase } from './lib/infra';
import { describeMachine } from './lib/machine';
import { injectBetweenMarkers, renderReport, type BenchReport, type ScenarioResult } from './lib/report';
import { waitForQuietInfrastructure, type QuietOutcome } from './lib/quiet-infrastructure';
import type { BenchOptions } from './lib/scenario';

interface ScenarioPlan {
  id: string;
  title: string;
  goal: string;
  /** Longest it may run, seconds (default run / quick run). */
  budgetSeconds: [number, number];
}

const PLANS: ReadonlyArray<ScenarioPlan> = [
  {
    id: 'throughput',
    title: '1. Pipeline throughput',
    goal: 'pipeline / min(raw broker, raw DB) ≥ 0.8',
    budgetSeconds: [240, 150],
  },
  {
    id: 'latency',
    title: '2. Live latency',
    goal: 'p99 < 50 ms at 500 msg/s with 1,000 subscribers',
    budgetSeconds: [480, 180],
  },
  { id: 'fanout', title: '3. Fan-out capacity', goal: '10,000 subscriptions < 1 GiB RSS', budgetSeconds: [300, 120] },
  {
    id: 'queries',
    title: '4. Queries',
    goal: 'GraphQL p99 ≤ 1.1 × driver p99 + 2 ms; deviceStats/trends p99 < 20 ms',
    budgetSeconds: [720, 180],
  },
  {
    id: 'http',
    title: '5. HTTP overhead',
    goal: 'reported: GraphQL signal(id) req/s beside a bare HTTP handler',
    budgetSeconds: [120, 90],
  },
];

function parseArguments(args: string[]): { options: BenchOptions; scenarios: ScenarioPlan[] } {
  const value = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index === -1 ? undefined : args[index + 1];
  };
  const quick = args.includes('--quick');
  const signals = Number(value('--signals') ?? (quick ? 10_000 : 100_000));
  if (!Number.isInteger(signals) || signals < 1_000) throw new Error('--signals must be an integer ≥ 1000');
  const wanted = value('--scenario')
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const unknown = wanted?.filter((id) => !PLANS.some((plan) => plan.id === id)) ?? [];
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(', ')} (known: ${PLANS.map((plan) => plan.id).join(', ')})`);
  return {
    options: { quick, signals, profile: !args.includes('--no-profile') },
    scenarios: PLANS.filter((plan) => !wanted || wanted.includes(plan.id)),
  };
}

async function runScenario(plan: ScenarioPlan, options: BenchOptions): Promise<ScenarioResult> {
  const budgetMs = plan.budgetSeconds[options.quick ? 1 : 0] * 1000;
  const startedAt = performance.now();
  const failed = (error: unknown): ScenarioResult => ({
    id: plan.id,
    title: plan.title,
    goal: plan.goal,
    outcome: 'not-run',
    headline: 'not measured (see error)',
    tables: [],
    notes: [],
    data: {},
    durationSeconds: (performance.now() - startedAt) / 1000,
    error: (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 3).join(' '),
  });
  let child;
  try {
    child = await forkBenchChild({
      name: `scenario-${plan.id}`,
      script: path.join(__dirname, 'scenario-runner.js'),
      args: [plan.id],
      env: { ...process.env, BENCH_OPTIONS: JSON.stringify(options) },
      execArgv: ['--max-old-space-size=4096'],
    });
  } catch (error) {
    return failed(error);
  }
  try {
    const message = await child.next<{ result: ScenarioResult }>('result', budgetMs);
    return message.result;
  } catch (error) {
    return failed(error);
  } finally {
    // A scenario past its budget is killed; its services exit when their IPC channel closes.
    await child.stop(5_000);
  }
}

/** What the wait before a scenario came to, as a note of its results. */
function quietNote(settled: QuietOutcome): string {
  const waited = `${Math.round(settled.waitedMs / 1000)} s`;
  return settled.quiet
    ? `Started once PostgreSQL, FerretDB, RabbitMQ and Redis together used less than ${settled.maxPercent} % of a core (waited ${waited}, last reading ${settled.lastPercent.toFixed(1)} %), so no earlier scenario's writes were still being worked off.`
    : `PostgreSQL, FerretDB, RabbitMQ and Redis still used ${settled.lastPercent.toFixed(1)} % of a core after ${waited}: started anyway, with that load beside it.`;
}

function caveatsFor(report: Omit<BenchReport, 'caveats'>): string[] {
  const caveats = [
    "Shared machine: other engineers' test suites may have loaded the same 2 cores and the same PostgreSQL/FerretDB, RabbitMQ and Redis during this run; every figure sits beside a limit measured in the same run for that reason.",
  ];
  const load = Number(report.machine.loadAverageAtStart.split(' ')[0]);
  if (load > report.machine.nproc / 2) caveats.push(`Load average was already ${load} when the run started.`);
  if (report.options.quick) caveats.push('Quick mode: smaller sizes and shorter windows than the default run.');
  return caveats;
}

async function main(): Promise<void> {
  const { options, scenarios } = parseArguments(process.argv.slice(2));
  const config = loadBenchConfig();
  mkdirSync(config.resultsDir, { recursive: true });
  const latestPath = path.join(config.resultsDir, 'latest.json');
  const previous = existsSync(latestPath) ? (JSON.parse(readFileSync(latestPath, 'utf8')) as BenchReport) : undefined;
  const machine = describeMachine(config.root);
  const results: ScenarioResult[] = [];
  for (const plan of scenarios) {
    const settled = await waitForQuietInfrastructure();
    process.stderr.write(
      `[bench] ${plan.title} (budget ${plan.budgetSeconds[options.quick ? 1 : 0]} s; infrastructure ${settled.quiet ? 'quiet' : 'still busy'} at ${settled.lastPercent.toFixed(1)} % after ${(settled.waitedMs / 1000).toFixed(0)} s)\n`,
    );
    const result = await runScenario(plan, options);
    result.notes.push(quietNote(settled));
    process.stderr.write(
      `[bench] ${plan.title}: ${result.outcome} — ${result.headline}${result.error ? ` — ${result.error}` : ''}\n`,
    );
    results.push(result);
  }
  // Leave nothing behind: the seeded signals would slow the shared database for everyone.
  await dropDatabase(config.mongoUrl).catch(() => undefined);
  await deleteVhost(config).catch(() => undefined);

  const merged = PLANS.map(
    (plan) =>
      results.find((result) => result.id === plan.id) ?? previous?.scenarios.find((result) => result.id === plan.id),
  ).filter((result): result is ScenarioResult => result !== undefined);
  const partial = { machine, options: { ...options, scenarios: scenarios.map((plan) => plan.id) }, scenarios: merged };
  const report: BenchReport = { ...partial, caveats: caveatsFor(partial) };
  if (merged.length > results.length)
    report.caveats.push(
      'Scenarios not run this time keep the figures of an earlier run (run them again for figures of this code).',
    );
  writeFileSync(latestPath, `${JSON.stringify(report, null, 2)}\n`);
  const docPath = path.join(config.root, 'docs', 'benchmarks.md');
  const document = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  writeFileSync(docPath, injectBetweenMarkers(document, renderReport(report)));
  process.stderr.write(`[bench] wrote ${path.relative(config.root, latestPath)} and docs/benchmarks.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
