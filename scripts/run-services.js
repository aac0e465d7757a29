#!/usr/bin/env node
// @ts-check
// Runs ingest, processor and gateway (built, from dist/) as one group in one terminal:
// waits until each answers /readyz, prints where to find them, optionally starts a follower
// command (the simulator), and on Ctrl-C or SIGTERM stops everything with SIGTERM — the follower
// first, then ingest, processor and gateway, in the direction the data flows — so in-flight
// messages are drained. If one service exits on its own, the others are stopped too.
//
//   node scripts/run-services.js [--watch] [--logs DIR] [--banner] [-- follower command ...]
//
// Ports come from INGEST_PORT, PROCESSOR_PORT and GATEWAY_PORT (defaults 3001, 3002, 3000); the
// services read the rest of their configuration from the environment this script inherits.
'use strict';

const { spawn } = require('node:child_process');
const { createWriteStream, mkdirSync } = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const STOP_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    watch: { type: 'boolean', default: false },
    logs: { type: 'string' },
    banner: { type: 'boolean', default: false },
  },
});

/** @typedef {{ name: string, port: number, entry: string }} ServiceSpec */
/** @type {ServiceSpec[]} in start order; stopped in this order too (data flows ingest → processor → gateway) */
const services = [
  { name: 'ingest', port: portFrom('INGEST_PORT', 3001), entry: 'dist/ingest/main.js' },
  { name: 'processor', port: portFrom('PROCESSOR_PORT', 3002), entry: 'dist/processor/main.js' },
  { name: 'gateway', port: portFrom('GATEWAY_PORT', 3000), entry: 'dist/gateway/main.js' },
];

/** @param {string} name @param {number} fallback */
function portFrom(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    fail(`${name} must be a port number 1..65535, got "${raw}"`);
  return port;
}

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`[run] error: ${message}\n`);
  process.exit(1);
}

/** @param {string} message */
function say(message) {
  process.stderr.write(`[run] ${message}\n`);
}

/** @typedef {{ name: string, child: import('node:child_process').ChildProcess, exited: Promise<number | null> }} Running */
/** @type {Running[]} */
const running = [];
let stopping = false;

/**
 * Starts a child in its own process group, so the terminal's Ctrl-C reaches only this script,
 * which then stops the children in order.
 * A service exiting on its own stops the group; the follower exiting does not.
 * @param {string} name @param {string} command @param {string[]} args @param {boolean} essential
 */
function launch(name, command, args, essential) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const sink =
    essential && values.logs ? createWriteStream(path.join(values.logs, `${name}.log`), { flags: 'a' }) : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (sink) sink.write(`${line}\n`);
      else process.stdout.write(`${name.padEnd(9)}| ${line}\n`);
    });
  }
  const exited = new Promise((resolve) => {
    child.on('error', (error) => {
      say(`${name} could not start: ${error.message}`);
      resolve(null);
    });
    child.on('exit', (code, signal) => {
      sink?.end();
      resolve(code ?? (signal ? 128 : null));
      if (stopping) return;
      if (essential) {
        say(`${name} exited (${signal ?? `code ${code}`}); stopping the others`);
        void stopAll(1);
      } else {
        say(`${name} exited (${signal ?? `code ${code}`}); the services keep running`);
      }
    });
  });
  const entry = { name, child, exited };
  running.push(entry);
  return entry;
}

/** @param {Running} entry */
async function stop(entry) {
  const { child, name } = entry;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    say(`${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, STOP_TIMEOUT_MS);
  await entry.exited;
  clearTimeout(timer);
}

/** @param {number} exitCode */
async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  say('stopping');
  const follower = running.filter((r) => !services.some((s) => s.name === r.name));
  const ordered = [
    ...follower,
    ...services.map((s) => running.find((r) => r.name === s.name)).filter((r) => r !== undefined),
  ];
  for (const entry of ordered) await stop(/** @type {Running} */ (entry));
  say('stopped');
  process.exit(exitCode);
}

/** @param {string} url @param {number} deadline */
async function waitReady(url, deadline) {
  let last = 'no answer';
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return true;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  if (!stopping) say(`${url} not ready: ${last}`);
  return false;
}

/** @param {number} port */
function portIsFree(port) {
  return new Promise((resolve) => {
    const server = require('node:net').createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function main() {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  if (values.logs) mkdirSync(values.logs, { recursive: true });

  for (const service of services) {
    if (!(await portIsFree(service.port))) {
      fail(`port ${service.port} (${service.name}) is in use; set ${service.name.toUpperCase()}_PORT to another port`);
    }
    if (!require('node:fs').existsSync(path.join(ROOT, service.entry))) {
      fail(`${service.entry} does not exist: run \`npm run build\` first`);
    }
  }

  const nodeArgs = values.watch ? ['--watch'] : [];
  for (const service of services) launch(service.name, process.execPath, [...nodeArgs, service.entry], true);
  if (values.logs)
    say(`service logs: ${path.relative(process.cwd(), values.logs) || '.'}/{ingest,processor,gateway}.log`);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  const ready = await Promise.all(services.map((s) => waitReady(`http://127.0.0.1:${s.port}/readyz`, deadline)));
  if (stopping) return;
  if (ready.includes(false)) {
    say('not every service became ready');
    await stopAll(1);
    return;
  }
  say(`ready: ${services.map((s) => `${s.name} :${s.port}`).join(', ')}`);
  if (values.banner) printBanner();

  const [command, ...args] = positionals;
  if (command) launch('simulator', command, args, false);
}

function printBanner() {
  const gateway = services[2]?.port;
  const ingest = services[0]?.port;
  const key = process.env.GATEWAY_ADMIN_API_KEY ?? '(GATEWAY_ADMIN_API_KEY is not set)';
  const lines = [
    '',
    '  XRayIOT is running.',
    '',
    `  Dashboard           http://localhost:${gateway}/#apiKey=${encodeURIComponent(key)}   (signs in with the key)`,
    `  GraphQL (HTTP, ws)  http://localhost:${gateway}/graphql   ws://localhost:${gateway}/graphql`,
    `  Playground          http://localhost:${gateway}/graphql   (open it in a browser)`,
    `  Ingest              http://localhost:${ingest}/v1/xray`,
    `  API key             ${key}`,
    '',
    '  Paste the key into the dashboard sign-in, or into the Playground headers as',
    `    { "X-API-Key": "${key}" }`,
    '  Try:  subscription { signalProcessed { id deviceId time dataLength } }',
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  say(error instanceof Error ? (error.stack ?? error.message) : String(error));
  void stopAll(1);
});
