import { existsSync } from 'node:fs';
import { GeneratedFleetSource, type MessageSource } from './fleet.source';
import { ReplaySource, loadRecordedXRay } from './replay.source';
import { seededRandom } from './seeded-random';
import { runSimulation } from './simulation.runner';
import { formatReport } from './simulation.stats';
import { SIMULATOR_USAGE, parseSimulatorOptions } from './simulator.options';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SIMULATOR_USAGE}\n`);
    return;
  }
  let options;
  try {
    options = parseSimulatorOptions(argv, process.env);
  } catch (error) {
    process.stderr.write(`simulate: ${(error as Error).message}\n${SIMULATOR_USAGE}\n`);
    process.exit(2);
  }
  if (options.replayPath && !existsSync(options.replayPath)) {
    process.stderr.write(`simulate: no recording at ${options.replayPath}: give --replay PATH or set XRAY_SAMPLE\n`);
    process.exit(2);
  }
  const source: MessageSource = options.replayPath
    ? new ReplaySource(loadRecordedXRay(options.replayPath), {
        devices: options.devices,
        devicePrefix: options.devicePrefix,
      })
    : new GeneratedFleetSource(
        {
          devices: options.devices,
          devicePrefix: options.devicePrefix,
          ...(options.samplesPerMessage === undefined ? {} : { samplesPerMessage: options.samplesPerMessage }),
          nowMs: Date.now(),
        },
        seededRandom(options.seed),
      );

  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const what = options.replayPath
    ? `replaying ${options.replayPath}`
    : `${options.samplesPerMessage === undefined ? "each message the fixes since the device's last (one a second)" : `${options.samplesPerMessage} fixes per message`}, seed ${options.seed}`;
  process.stderr.write(`simulate: ${options.devices} devices, ${options.rate} msg/s to ${options.url} (${what})\n`);
  const stats = await runSimulation(
    {
      url: options.url,
      fleetSecret: options.fleetSecret,
      rate: options.rate,
      concurrency: options.concurrency,
      durationS: options.durationS,
      messages: options.messages,
      stop: stop.signal,
      progressEveryS: options.reportEveryS,
      onProgress: (current) => process.stderr.write(`simulate: ${formatReport(current.report())}\n`),
    },
    source,
  );
  const report = stats.report();
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  process.exitCode = report.sent > 0 && report.accepted === 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
