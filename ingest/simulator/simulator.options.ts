import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** Everything one simulator run needs, from its command line and environment. */
export interface SimulatorOptions {
  /** `--url`: ingest base URL (default http://127.0.0.1:3001). */
  url: string;
  /** `--devices`: fleet size (default 10). */
  devices: number;
  /** `--rate`: messages per second across the fleet (default 5). */
  rate: number;
  /** `--duration <s>`: stop after this many seconds. */
  durationS?: number;
  /** `--messages <n>`: stop after this many messages. Without either, runs until SIGINT/SIGTERM. */
  messages?: number;
  /** `--replay [path]`: replay a recorded message instead of generating tracks. */
  replayPath?: string;
  /**
   * `--samples <n>`: fixes per generated message (one a second). Default: devices / rate, so each device's
   * messages cover real time without gaps or overlap (at least 1, at most 600).
   */
  samplesPerMessage: number;
  /** `--concurrency <n>`: most requests in flight (default 64). */
  concurrency: number;
  /** `--device-prefix`: device ids are `<prefix>-00000`, ... (default `sim`, or `replay` when replaying). */
  devicePrefix: string;
  /** `--seed <n>`: seed of the track generator (default: random). */
  seed: number;
  /** `--report-every <s>`: progress line interval (default 10; 0 = only the final report). */
  reportEveryS: number;
  /** `--json`: print the final report as one JSON line. */
  json: boolean;
  /** `INGEST_HMAC_SECRET`: the fleet secret devices derive their keys from (required). */
  fleetSecret: string;
}

export const SIMULATOR_USAGE = `usage: npm run simulate -- [--devices N] [--rate R] [--duration S | --messages N]
                            [--replay [PATH]] [--samples N] [--url URL] [--concurrency N]
                            [--device-prefix P] [--seed N] [--report-every S] [--json]
env: INGEST_HMAC_SECRET (required), XRAY_SAMPLE (default replay file)`;

/** The repository root: the nearest folder above `from` with a package.json (works from sources and from dist/). */
export function repositoryRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * Default recording to replay: `XRAY_SAMPLE`, else ../shared/fixtures/x-ray.json beside the repository.
 * An empty `XRAY_SAMPLE` counts as unset (it would otherwise read as "no replay").
 */
export function defaultReplayPath(env: NodeJS.ProcessEnv): string {
  return env.XRAY_SAMPLE || path.resolve(repositoryRoot(), '..', 'shared', 'fixtures', 'x-ray.json');
}

function positiveNumber(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || (integer && !Number.isInteger(parsed))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return parsed;
}

/** Parses the command line (without node and script) and environment; throws one line naming the bad option. */
export function parseSimulatorOptions(argv: string[], env: NodeJS.ProcessEnv): SimulatorOptions {
  // `--replay` takes an optional path: a bare `--replay` means the default recording.
  const args = argv.flatMap((arg, i) =>
    arg === '--replay' && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--')) ? ['--replay', ''] : [arg],
  );
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      devices: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      messages: { type: 'string' },
      replay: { type: 'string' },
      samples: { type: 'string' },
      concurrency: { type: 'string' },
      'device-prefix': { type: 'string' },
      seed: { type: 'string' },
      'report-every': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const fleetSecret = env.INGEST_HMAC_SECRET;
  if (!fleetSecret) throw new Error('INGEST_HMAC_SECRET must be set to the secret ingest uses');
  const url = values.url ?? 'http://127.0.0.1:3001';
  try {
    new URL(url);
  } catch {
    throw new Error(`--url must be a URL, got "${url}"`);
  }
  const devices = positiveNumber('devices', values.devices, true) ?? 10;
  const rate = positiveNumber('rate', values.rate, false) ?? 5;
  const durationS = positiveNumber('duration', values.duration, false);
  const messages = positiveNumber('messages', values.messages, true);
  if (durationS !== undefined && messages !== undefined) throw new Error('give --duration or --messages, not both');
  const replayPath =
    values.replay === undefined ? undefined : values.replay === '' ? defaultReplayPath(env) : values.replay;
  const devicePrefix = values['device-prefix'] ?? (replayPath ? 'replay' : 'sim');
  if (!/^[A-Za-z0-9_-]{1,58}$/.test(devicePrefix))
    throw new Error('--device-prefix must be 1-58 characters of [A-Za-z0-9_-]');
  const reportEvery =
    values['report-every'] === '0' ? 0 : (positiveNumber('report-every', values['report-every'], false) ?? 10);
  return {
    url,
    devices,
    rate,
    durationS,
    messages,
    replayPath,
    samplesPerMessage:
      positiveNumber('samples', values.samples, true) ?? Math.min(600, Math.max(1, Math.round(devices / rate))),
    concurrency: positiveNumber('concurrency', values.concurrency, true) ?? 64,
    devicePrefix,
    seed: positiveNumber('seed', values.seed, true) ?? Math.floor(Math.random() * 2 ** 31),
    reportEveryS: reportEvery,
    json: values.json ?? false,
    fleetSecret,
  };
}
