import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { loadGatewayConfig } from '../../gateway/config';
import { startGateway } from '../../gateway/gateway.service';
import { postSignedXRay as postDeviceXRay } from '../../ingest/simulator/signed-xray.client';
import { silentLogger } from '../../schema';
import type { RunningService, XRayMessage, XRaySample } from '../../schema';
import type { Disposables } from '../support/disposables';
import type { SuiteInfra } from '../support/suite-infra';
import { startWholePipeline } from '../support/whole-pipeline';

// Page functions run in the browser; the harness compiles without DOM types.
declare const window: { location: { hash: string } };

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * Builds the dashboard into a folder of this suite alone (so parallel suites and a developer's
 * `npm run dashboard:build` never overwrite each other) and returns it.
 */
export async function buildDashboardInto(disposables: Disposables): Promise<string> {
  const outDir = disposables.add(await mkdtemp(path.join(os.tmpdir(), 'xray-dashboard-')), (dir) =>
    rm(dir, { recursive: true, force: true }),
  );
  await run(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      path.join(ROOT, 'gateway', 'dashboard', 'vite.config.ts'),
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, timeout: 120_000 },
  );
  return outDir;
}

export interface FleetStack {
  ingest: RunningService;
  gateway: RunningService;
  /** The ADMIN key the gateway was started with. */
  adminApiKey: string;
  fleetSecret: string;
}

/** Processor, ingest and gateway in-process on the suite's infrastructure, the gateway serving `dashboardDir`. */
export async function startFleetStack(
  infra: SuiteInfra,
  disposables: Disposables,
  options: { dashboardDir: string; extraEnv?: NodeJS.ProcessEnv },
): Promise<FleetStack> {
  const adminApiKey = `dash-admin-${randomBytes(16).toString('hex')}`;
  const fleetSecret = `dashboard-fleet-secret-${randomBytes(16).toString('hex')}`;
  const { ingest, gateway } = await startWholePipeline(infra, disposables, {
    INGEST_HMAC_SECRET: fleetSecret,
    GATEWAY_ADMIN_API_KEY: adminApiKey,
    GATEWAY_DASHBOARD_DIR: options.dashboardDir,
    INGEST_RATE_LIMIT_PER_MINUTE: '100000',
    ...options.extraEnv,
  });
  return { ingest, gateway, adminApiKey, fleetSecret };
}

/** Starts one more gateway on the stack's infrastructure, with extra settings (e.g. a tile URL). */
export async function startExtraGateway(
  infra: SuiteInfra,
  disposables: Disposables,
  options: { dashboardDir: string; adminApiKey: string; extraEnv: NodeJS.ProcessEnv },
): Promise<RunningService> {
  const config = loadGatewayConfig({
    MONGO_URL: infra.mongoUrl,
    REDIS_URL: infra.redisUrl,
    AMQP_URL: infra.amqpUrl,
    XRAY_NAMESPACE: infra.namespace,
    GATEWAY_ADMIN_API_KEY: options.adminApiKey,
    GATEWAY_DASHBOARD_DIR: options.dashboardDir,
    GATEWAY_PORT: '0',
    GATEWAY_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...options.extraEnv,
  });
  const gateway = await startGateway(config, { logger: silentLogger() });
  return disposables.add(gateway, (service) => service.close());
}

/** A 1×1 light grey PNG, what the local tile server answers for every tile. */
const TILE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4AwAA3gDdXeHJVgAAAABJRU5ErkJggg==',
  'base64',
);

/** A map tile server on 127.0.0.1 that records the tile paths asked for. */
export async function startTileServer(disposables: Disposables): Promise<{ urlTemplate: string; requested: string[] }> {
  const requested: string[] = [];
  const server = http.createServer((request, response) => {
    requested.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    response.end(TILE_PNG);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposables.add(server, (opened) => new Promise<void>((resolve) => opened.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { urlTemplate: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`, requested };
}

/** A message for `deviceId` at `timeMs`: the real sample's samples, moved by whole degrees offsets. */
export function xrayMessageFor(
  sample: XRayMessage,
  deviceId: string,
  timeMs: number,
  shift: { lat?: number; lon?: number } = {},
): Buffer {
  const payload = Object.values(sample)[0];
  if (!payload) throw new Error('the sample holds no device');
  const data: XRaySample[] = payload.data.map(([offsetMs, [lat, lon, speed]]) => [
    offsetMs,
    [lat + (shift.lat ?? 0), lon + (shift.lon ?? 0), speed],
  ]);
  return Buffer.from(JSON.stringify({ [deviceId]: { data, time: timeMs } }));
}

/** POSTs a signed message to ingest as a device would; resolves when ingest accepted it (202). */
export async function postSignedXRay(stack: FleetStack, deviceId: string, body: Buffer): Promise<void> {
  const response = await postDeviceXRay(stack.ingest.url, { fleetSecret: stack.fleetSecret, deviceId, body });
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${JSON.stringify(response.body)}`);
}

/** A GraphQL query over HTTP with an API key (for the test's own checks). */
export async function graphqlRequest<T>(
  gatewayUrl: string,
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (!body.data || body.errors?.length) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** A page signed in through the `#apiKey=` link, on `route` (e.g. `#/signals`), with the fleet loaded. */
export async function openSignedIn(
  context: BrowserContext,
  baseUrl: string,
  apiKey: string,
  route: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/#apiKey=${encodeURIComponent(apiKey)}`);
  await page.locator('.connection[data-status="live"]').waitFor();
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, route);
  return page;
}
