import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_SAMPLES_PER_MESSAGE } from '../../schema';

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
   * `--samples <n>`: fixes per generated message (one a second), at most devices / rate so a device's
   * messages cover no more time than passes. Default: the seconds since the device's previous message,
   * so its messages cover real time without gaps or overlap.
   */
  samplesPerMessage?: number;
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
  // Ids are `<prefix>-<number, at least 5 digits>`, and a device id holds at most 64 characters.
  const idLength = devicePrefix.length + 1 + Math.max(5, String(devices - 1).length);
  if (idLength > 64)
    throw new Error(`--device-prefix with --devices ${devices} makes ${idLength}-character device ids; at most 64`);
  const samplesPerMessage = positiveNumber('samples', values.samples, true);
  if (replayPath === undefined) {
    // Fixes are one a second: a device sending more often, or more fixes than seconds pass, would run
    // ahead of real time, into the future the schema refuses.
    if (rate > devices)
      throw new Error(`--rate ${rate} is more than one message a second per device: raise --devices or use --replay`);
    if (samplesPerMessage !== undefined && samplesPerMessage > MAX_SAMPLES_PER_MESSAGE)
      throw new Error(`--samples must be at most ${MAX_SAMPLES_PER_MESSAGE}, what a message may hold`);
    if (samplesPerMessage !== undefined && samplesPerMessage > Math.max(1, Math.floor(devices / rate)))
      throw new Error(
        `--samples ${samplesPerMessage} covers more time than passes between a device's messages (${devices / rate} s): lower --rate or raise --devices`,
      );
  }
  const reportEvery =
    values['report-every'] === '0' ? 0 : (positiveNumber('report-every', values['report-every'], false) ?? 10);
  return {
    url,
    devices,
    rate,
    durationS,
    messages,
    replayPath,
    ...(samplesPerMessage === undefined ? {} : { samplesPerMessage }),
    concurrency: positiveNumber('concurrency', values.concurrency, true) ?? 64,
    devicePrefix,
    seed: positiveNumber('seed', values.seed, true) ?? Math.floor(Math.random() * 2 ** 31),
    reportEveryS: reportEvery,
    json: values.json ?? false,
    fleetSecret,
  };
}
