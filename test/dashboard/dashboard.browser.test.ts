import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { Disposables } from '../support/disposables';
import { loadSampleXRay } from '../support/sample-xray';
import { createSuiteInfra } from '../support/suite-infra';
import type { SuiteInfra } from '../support/suite-infra';
import { startTcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/wait-for';
import { launchChromium } from '../support/chromium';
import { mercatorX, mercatorY } from '../../gateway/dashboard/src/map/projection';
import {
  buildDashboardInto,
  graphqlRequest,
  openSignedIn,
  postSignedXRay,
  startExtraGateway,
  startFleetStack,
  startTileServer,
  xrayMessageFor,
} from './dashboard.harness';
import type { FleetStack } from './dashboard.harness';

// Page functions run in the browser; the tests compile without DOM types, so the globals they touch are declared here.
declare const window: { location: { hash: string } };
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  activeElement: { classList: { contains(name: string): boolean } } | null;
  documentElement: { scrollWidth: number };
};
declare const sessionStorage: { getItem(key: string): string | null };
declare const performance: { getEntriesByType(type: 'resource'): Array<{ name: string }> };

// The dashboard in headless Chromium against the real pipeline: ingest → RabbitMQ → processor →
// MongoDB + Redis → gateway (which serves a fresh build of the dashboard). Screenshots of every
// view go to test/.artifacts/screenshots/, or with XRAY_UPDATE_SCREENSHOTS=1 to docs/img/ for the
// README (a plain test run leaves the committed ones alone).

const SCREENSHOTS =
  process.env.XRAY_UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '..', '..', 'docs', 'img')
    : path.resolve(__dirname, '..', '.artifacts', 'screenshots');
const DEVICES = [
  { id: 'dash-alpha', shift: { lat: 0, lon: 0 } },
  { id: 'dash-bravo', shift: { lat: 0.006, lon: 0.01 } },
  { id: 'dash-charlie', shift: { lat: -0.005, lon: 0.018 } },
] as const;
const MESSAGES_PER_DEVICE = 15;
const MESSAGE_SPACING_MS = 20 * 60_000;
const PAGE_SIZE = 20;
/** The dashboard's promise: a processed signal is on screen this soon after ingest accepted it. */
const LIVE_BUDGET_MS = 2_000;
/** Each browser test's own limit (jest's default is 5 s). */
const TEST_TIMEOUT_MS = 60_000;

interface SignalIdsPage {
  signals: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

describe('the fleet dashboard in a browser', () => {
  const disposables = new Disposables();
  const sample = loadSampleXRay();
  const sampleTime = Object.values(sample.message)[0]?.time ?? Date.UTC(2025, 0, 1);
  let infra: SuiteInfra;
  let stack: FleetStack;
  let browser: BrowserContext;
  let dashboardDir: string;
  let nextMessageTime = sampleTime + MESSAGES_PER_DEVICE * MESSAGE_SPACING_MS;

  async function allSignalIds(): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: SignalIdsPage = await graphqlRequest<SignalIdsPage>(
        stack.gateway.url,
        stack.adminApiKey,
        'query($after: String) { signals(first: 200, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      ids.push(...page.signals.edges.map((edge) => edge.node.id));
      if (!page.signals.pageInfo.hasNextPage) return ids;
      after = page.signals.pageInfo.endCursor;
    }
  }

  async function waitForSignalCount(count: number): Promise<void> {
    await eventually(
      async () => ((await allSignalIds()).length === count ? true : undefined),
      60_000,
      `${count} stored signals`,
    );
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
  }

  async function signalIdsShown(page: Page): Promise<string[]> {
    await page.locator('table.signals-table[aria-busy="false"]').waitFor();
    return page
      .locator('table.signals-table tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-signal-id') ?? ''));
  }

  async function goToPage(page: Page, button: 'Next' | 'Previous', pageNumber: number): Promise<string[]> {
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.locator('.pager span', { hasText: `Page ${pageNumber}` }).waitFor();
    return signalIdsShown(page);
  }

  /** The built assets the page fetched beyond those its index.html names: the lazily loaded chunks. */
  async function lazyAssetsOf(page: Page, baseUrl: string): Promise<string[]> {
    const indexHtml = await (await fetch(`${baseUrl}/`)).text();
    const named = new Set(indexHtml.match(/\/assets\/[^"']+/g) ?? []);
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
    return fetched
      .map((url) => new URL(url).pathname)
      .filter((asset) => asset.startsWith('/assets/') && !named.has(asset));
  }

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('dashboard'), (suite) => suite.dispose());
    dashboardDir = await buildDashboardInto(disposables);
    stack = await startFleetStack(infra, disposables, { dashboardDir });
    for (let index = 0; index < MESSAGES_PER_DEVICE; index += 1) {
      for (const device of DEVICES) {
        await postSignedXRay(
          stack,
          device.id,
          xrayMessageFor(sample.message, device.id, sampleTime + index * MESSAGE_SPACING_MS, device.shift),
        );
      }
    }
    await waitForSignalCount(DEVICES.length * MESSAGES_PER_DEVICE);
    await eventually(
      async () => {
        const { devices } = await graphqlRequest<{ devices: { edges: Array<{ node: { signalCount: number } }> } }>(
          stack.gateway.url,
          stack.adminApiKey,
          '{ devices(first: 10) { edges { node { signalCount } } } }',
        );
        return devices.edges.length === DEVICES.length &&
          devices.edges.every((edge) => edge.node.signalCount === MESSAGES_PER_DEVICE)
          ? true
          : undefined;
      },
      60_000,
      'the device rollups',
    );
    browser = await launchChromium(disposables);
  }, 180_000);

  afterAll(() => disposables.disposeAll());

  it(
    'tells a wrong API key clearly instead of showing a blank page',
    async () => {
      const page = await browser.newPage();
      await page.goto(stack.gateway.url);
      await page.getByLabel('API key').fill('not-a-key-of-this-gateway-0000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'did not accept this API key' }).waitFor();
      await screenshot(page, 'dashboard-sign-in');

      // A stale key handed over in a link opens the dashboard, is refused by the gateway, and lands back here.
      await page.goto(`${stack.gateway.url}/#apiKey=revoked-or-mistyped-key-1111`);
      await page.getByRole('alert').filter({ hasText: 'did not accept this API key' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('xrayiot.apiKey'))).toBeNull();
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'signs in with a pasted key and lists every device with its figures',
    async () => {
      const page = await browser.newPage();
      await page.goto(stack.gateway.url);
      await page.getByLabel('API key').fill(stack.adminApiKey);
      await page.getByLabel('API key').press('Enter');
      for (const device of DEVICES) {
        const row = page.locator(`table.fleet-table tr[data-device-id="${device.id}"]`);
        await row.locator('[data-field="signalCount"]', { hasText: String(MESSAGES_PER_DEVICE) }).waitFor();
        await row.getByText('Online').waitFor();
      }
      expect(await page.locator('table.fleet-table tbody tr').count()).toBe(DEVICES.length);
      await page.locator('.connection[data-status="live"]').waitFor();
      await screenshot(page, 'dashboard-fleet');

      await page.getByRole('button', { name: 'Device' }).click();
      const ids = await page
        .locator('table.fleet-table tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-device-id')));
      expect(ids).toEqual(DEVICES.map((device) => device.id).sort());
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows a posted signal in the table and moves its marker within 2 s, without a reload',
    async () => {
      const device = DEVICES[0];
      const signalsPage = await openSignedIn(browser, stack.gateway.url, stack.adminApiKey, '#/signals');
      await signalsPage
        .locator('table.signals-table tbody tr')
        .nth(PAGE_SIZE - 1)
        .waitFor();
      const mapPage = await openSignedIn(browser, stack.gateway.url, stack.adminApiKey, `#/map/${device.id}`);
      const marker = mapPage.locator(`.map-marker[data-device-id="${device.id}"]`);
      await marker.waitFor();
      await mapPage.locator('.map-track').waitFor();
      // Without a tile URL the map is the page's own SVG: Leaflet is neither shown nor downloaded.
      expect(await mapPage.locator('svg .map-track').count()).toBe(1);
      expect(await mapPage.locator('.leaflet-container').count()).toBe(0);
      expect(await lazyAssetsOf(mapPage, stack.gateway.url)).toEqual([]);
      const latBefore = await marker.getAttribute('data-lat');
      for (const page of [signalsPage, mapPage]) await page.evaluate(() => Object.assign(window, { loadedOnce: true }));

      const time = nextMessageTime;
      nextMessageTime += MESSAGE_SPACING_MS;
      await postSignedXRay(
        stack,
        device.id,
        xrayMessageFor(sample.message, device.id, time, { lat: 0.004, lon: -0.004 }),
      );
      const accepted = Date.now();
      await Promise.all([
        signalsPage.locator('table.signals-table tbody tr.fresh').first().waitFor({ timeout: LIVE_BUDGET_MS }),
        mapPage.waitForFunction(
          ([id, before]) =>
            document.querySelector(`.map-marker[data-device-id="${id}"]`)?.getAttribute('data-lat') !== before,
          [device.id, latBefore] as const,
          { timeout: LIVE_BUDGET_MS },
        ),
      ]);
      expect(Date.now() - accepted).toBeLessThanOrEqual(LIVE_BUDGET_MS);

      const fresh = signalsPage.locator('table.signals-table tbody tr.fresh');
      expect(await fresh.count()).toBe(1);
      expect(await fresh.locator('td').nth(1).innerText()).toBe(device.id);
      expect(Date.parse((await fresh.locator('time').getAttribute('datetime')) ?? '')).toBe(time);
      // Newest first: the new signal is the top row.
      expect(await signalsPage.locator('table.signals-table tbody tr').first().getAttribute('class')).toBe('fresh');

      const { device: stored } = await graphqlRequest<{ device: { lastPosition: { lat: number; lon: number } } }>(
        stack.gateway.url,
        stack.adminApiKey,
        'query($id: ID!) { device(id: $id) { lastPosition { lat lon } } }',
        { id: device.id },
      );
      await mapPage.waitForFunction(
        ([id, lat, lon]) => {
          const shown = document.querySelector(`.map-marker[data-device-id="${id}"]`);
          return Number(shown?.getAttribute('data-lat')) === lat && Number(shown?.getAttribute('data-lon')) === lon;
        },
        [device.id, stored.lastPosition.lat, stored.lastPosition.lon] as const,
      );
      for (const page of [signalsPage, mapPage]) expect(await page.evaluate(() => 'loadedOnce' in window)).toBe(true);

      await mapPage.locator('.map-track').waitFor();
      await screenshot(mapPage, 'dashboard-map');
      await screenshot(signalsPage, 'dashboard-signals');
      await signalsPage
        .getByRole('button', { name: /^Details/ })
        .first()
        .click();
      await signalsPage.getByText(/^Raw record/).waitFor();
      await signalsPage.locator('.signal-detail .map-track').waitFor();
      await signalsPage.locator('#signal-detail-heading:focus').waitFor();
      await screenshot(signalsPage, 'dashboard-signal-detail');
      await signalsPage.close();
      await mapPage.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'walks the signal pages forwards and back with no repeat and no gap',
    async () => {
      const expected = await allSignalIds();
      const page = await openSignedIn(browser, stack.gateway.url, stack.adminApiKey, '#/signals');
      const walked: string[][] = [await signalIdsShown(page)];
      while (await page.getByRole('button', { name: 'Next', exact: true }).isEnabled()) {
        walked.push(await goToPage(page, 'Next', walked.length + 1));
      }
      expect(walked.map((ids) => ids.length)).toEqual(
        Array.from({ length: Math.ceil(expected.length / PAGE_SIZE) }, (_, index) =>
          Math.min(PAGE_SIZE, expected.length - index * PAGE_SIZE),
        ),
      );
      expect(walked.flat()).toEqual(expected);

      for (let pageNumber = walked.length - 1; pageNumber >= 1; pageNumber -= 1) {
        expect(await goToPage(page, 'Previous', pageNumber)).toEqual(walked[pageNumber - 1]);
      }
      // The pager works from the keyboard too.
      await page.getByRole('button', { name: 'Next', exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.locator('.pager span', { hasText: 'Page 2' }).waitFor();
      expect(await signalIdsShown(page)).toEqual(walked[1]);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'resumes the live feed after a dropped connection without missing or repeating a signal',
    async () => {
      const proxy = disposables.add(await startTcpProxy(stack.gateway.url), (opened) => opened.close());
      const baseUrl = proxy.urlFor(stack.gateway.url).replace(/\/$/, '');
      const page = await openSignedIn(browser, baseUrl, stack.adminApiKey, '#/signals');
      await page
        .locator('table.signals-table tbody tr')
        .nth(PAGE_SIZE - 1)
        .waitFor();
      const fresh = page.locator('table.signals-table tbody tr.fresh');
      const post = async (device: (typeof DEVICES)[number]): Promise<number> => {
        const time = nextMessageTime;
        nextMessageTime += MESSAGE_SPACING_MS;
        await postSignedXRay(stack, device.id, xrayMessageFor(sample.message, device.id, time, device.shift));
        return time;
      };
      let stored = (await allSignalIds()).length;

      // One signal received live gives the feed a position to resume from.
      const beforeCut = await post(DEVICES[0]);
      await fresh.first().waitFor();

      proxy.cut();
      await page.locator('.connection:not([data-status="live"])').waitFor();
      const whileCut = await post(DEVICES[1]);
      stored += 2;
      await waitForSignalCount(stored);
      proxy.restore();

      await page.locator('.connection[data-status="live"]').waitFor({ timeout: 30_000 });
      await fresh.nth(1).waitFor();
      const afterRestore = await post(DEVICES[2]);
      await fresh.nth(2).waitFor();

      const freshTimes = await fresh
        .locator('time')
        .evaluateAll((times) => times.map((time) => Date.parse(time.getAttribute('datetime') ?? '')));
      expect(freshTimes).toEqual([afterRestore, whileCut, beforeCut]);
      const shown = await signalIdsShown(page);
      expect(new Set(shown).size).toBe(shown.length);
      expect(shown.slice(0, 3)).toEqual((await allSignalIds()).slice(0, 3));
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'filters the signals by an area drawn on the map',
    async () => {
      const device = DEVICES[2];
      const page = await openSignedIn(browser, stack.gateway.url, stack.adminApiKey, '#/map');
      const marker = page.locator(`.map-marker[data-device-id="${device.id}"] circle`);
      await marker.waitFor();
      await page.getByRole('button', { name: 'Draw signals area' }).click();
      const box = await marker.boundingBox();
      if (!box) throw new Error('the marker is not drawn');
      const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      await page.mouse.move(centre.x - 25, centre.y - 25);
      await page.mouse.down();
      await page.mouse.move(centre.x + 25, centre.y + 25, { steps: 5 });
      await page.mouse.up();
      await page.locator('.map-area').waitFor();

      await page.getByRole('link', { name: 'Signals in area' }).click();
      await page.locator('#filter-minLat:not([value=""])').waitFor();
      const shownDevices = async (): Promise<string[]> => {
        await page.locator('table.signals-table[aria-busy="false"]').waitFor();
        return page.locator('table.signals-table tbody tr td:nth-child(2)').allInnerTexts();
      };
      await eventually(
        async () => ((await shownDevices()).every((id) => id === device.id) ? true : undefined),
        10_000,
        "only the area's signals",
      );
      const expected = await graphqlRequest<{ device: { signalCount: number } }>(
        stack.gateway.url,
        stack.adminApiKey,
        'query($id: ID!) { device(id: $id) { signalCount } }',
        { id: device.id },
      );
      expect((await shownDevices()).length).toBe(Math.min(PAGE_SIZE, expected.device.signalCount));

      await page.getByRole('button', { name: 'Clear', exact: true }).click();
      await eventually(
        async () => ((await shownDevices()).some((id) => id !== device.id) ? true : undefined),
        10_000,
        'every signal again',
      );
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'puts the same drawing on a pannable, zoomable Leaflet tile map when a tile URL is configured',
    async () => {
      const tiles = await startTileServer(disposables);
      const gateway = await startExtraGateway(infra, disposables, {
        dashboardDir,
        adminApiKey: stack.adminApiKey,
        extraEnv: { DASHBOARD_TILE_URL: tiles.urlTemplate, DASHBOARD_TILE_ATTRIBUTION: 'Tiles: local test server' },
      });
      const tileOrigin = new URL(tiles.urlTemplate.replace(/[{}]/g, '')).origin;
      // Leaflet, its stylesheet and the tiles must all pass the gateway's Content-Security-Policy.
      const cspViolations: string[] = [];
      const onConsole = (message: ConsoleMessage): void => {
        if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
      };
      browser.on('console', onConsole);
      const device = DEVICES[0];
      const page = await openSignedIn(browser, gateway.url, stack.adminApiKey, `#/map/${device.id}`);
      const map = page.locator('.map-view .leaflet-container');
      const loadedTiles = map.locator('.leaflet-tile-pane img.leaflet-tile-loaded');
      const marker = map.locator(`.leaflet-marker-pane .map-marker[data-device-id="${device.id}"]`);
      await loadedTiles.first().waitFor();
      await marker.waitFor();
      const track = map.locator('.leaflet-overlay-pane path.map-track');
      await track.waitFor();
      expect(Number(await track.getAttribute('data-points'))).toBeGreaterThan(1);
      for (const other of DEVICES) await map.locator(`.map-marker[data-device-id="${other.id}"]`).waitFor();
      expect(await page.locator('svg[role="group"] .map-track').count()).toBe(0);
      await map.locator('.leaflet-control-attribution', { hasText: 'Tiles: local test server' }).waitFor();
      expect((await lazyAssetsOf(page, gateway.url)).length).toBeGreaterThan(0);
      const tileSources = await loadedTiles.evaluateAll((images) =>
        images.map((image) => image.getAttribute('src') ?? ''),
      );
      expect(tileSources.every((src) => src.startsWith(`${tileOrigin}/`) && /\/\d+\/\d+\/\d+\.png$/.test(src))).toBe(
        true,
      );
      expect(tiles.requested.every((url) => /^\/\d+\/\d+\/\d+\.png$/.test(url))).toBe(true);

      // The marker sits on its place in the tile grid: drawing and base layer share one projection.
      // Measured while tiles may be swapped (zoom), so a vanished element means "not settled yet".
      const markerOnTiles = async (): Promise<{ offset: number; zoom: number } | undefined> => {
        const quick = { timeout: 1_000 };
        const tile = loadedTiles.last();
        try {
          const [dot, tileBox, src, lat, lon] = await Promise.all([
            marker.locator('circle').boundingBox(quick),
            tile.boundingBox(quick),
            tile.getAttribute('src', quick),
            marker.getAttribute('data-lat', quick),
            marker.getAttribute('data-lon', quick),
          ]);
          const [z, x, y] = (/\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(src ?? '') ?? []).slice(1).map(Number);
          if (!dot || !tileBox || z === undefined || x === undefined || y === undefined) return undefined;
          const world = 2 ** z * tileBox.width;
          const expectedX = tileBox.x + mercatorX(Number(lon)) * world - x * tileBox.width;
          const expectedY = tileBox.y + mercatorY(Number(lat)) * world - y * tileBox.height;
          return { offset: Math.hypot(dot.x + dot.width / 2 - expectedX, dot.y + dot.height / 2 - expectedY), zoom: z };
        } catch {
          return undefined;
        }
      };
      const settledOnTiles = async (what: string, zoom?: number): Promise<number> => {
        const settled = await eventually(
          async () => {
            const measured = await markerOnTiles();
            return measured && measured.offset < 2 && (zoom === undefined || measured.zoom === zoom)
              ? measured
              : undefined;
          },
          10_000,
          what,
        );
        return settled.zoom;
      };
      const fittedZoom = await settledOnTiles('the marker on its place in the tile grid');

      // Zoom from its labelled control, then pan with the keyboard; the drawing stays on its place.
      const tileCount = tiles.requested.length;
      await map.getByRole('button', { name: 'Zoom in' }).click();
      await settledOnTiles('tiles one zoom level closer', fittedZoom + 1);
      expect(tiles.requested.length).toBeGreaterThan(tileCount);
      // Leaflet's keyboard handler listens while its container has the focus; a zoom still animating ignores keys.
      await map.locator('.leaflet-zoom-anim').waitFor({ state: 'detached' });
      const before = await marker.boundingBox();
      await map.focus();
      await page.waitForFunction(() => document.activeElement?.classList.contains('leaflet-container') === true);
      await page.keyboard.press('ArrowLeft');
      await eventually(
        async () => ((await marker.boundingBox())?.x ?? 0) > (before?.x ?? 0) + 20 || undefined,
        10_000,
        'the map panned by the keyboard',
      );
      await settledOnTiles('the panned tiles');

      // A posted signal moves the marker within 2 s on this map too.
      const latBefore = await marker.getAttribute('data-lat');
      const time = nextMessageTime;
      nextMessageTime += MESSAGE_SPACING_MS;
      await postSignedXRay(
        stack,
        device.id,
        xrayMessageFor(sample.message, device.id, time, { lat: -0.003, lon: 0.003 }),
      );
      const accepted = Date.now();
      await page.waitForFunction(
        ([id, previous]) =>
          document
            .querySelector(`.leaflet-marker-pane .map-marker[data-device-id="${id}"]`)
            ?.getAttribute('data-lat') !== previous,
        [device.id, latBefore] as const,
        { timeout: LIVE_BUDGET_MS },
      );
      expect(Date.now() - accepted).toBeLessThanOrEqual(LIVE_BUDGET_MS);
      await page.getByRole('button', { name: 'Show everything on the map' }).click();
      await settledOnTiles('the refitted map');
      const mapBox = await map.boundingBox();
      for (const shown of DEVICES) {
        const markerBox = await map.locator(`.map-marker[data-device-id="${shown.id}"] circle`).boundingBox();
        if (!mapBox || !markerBox) throw new Error('the map or a marker is not drawn');
        expect(markerBox.x).toBeGreaterThanOrEqual(mapBox.x);
        expect(markerBox.y).toBeGreaterThanOrEqual(mapBox.y);
        expect(markerBox.x + markerBox.width).toBeLessThanOrEqual(mapBox.x + mapBox.width);
        expect(markerBox.y + markerBox.height).toBeLessThanOrEqual(mapBox.y + mapBox.height);
      }
      await screenshot(page, 'dashboard-map-tiles');

      // Markers are buttons from the keyboard.
      const other = DEVICES[1];
      await map.locator(`.map-marker[data-device-id="${other.id}"]`).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((id) => window.location.hash === `#/map/${id}`, other.id);
      await map.locator(`.map-marker.selected[data-device-id="${other.id}"]`).waitFor();
      await page.close();

      // The area drawn on the tile map filters the signals like the one drawn on the SVG map. With no device
      // selected nothing loads after the markers, so the fitted view holds still while the area is drawn.
      const areaPage = await openSignedIn(browser, gateway.url, stack.adminApiKey, '#/map');
      const areaMap = areaPage.locator('.map-view .leaflet-container');
      for (const shown of DEVICES) await areaMap.locator(`.map-marker[data-device-id="${shown.id}"]`).waitFor();
      const target = DEVICES[2];
      const targetMarker = areaMap.locator(`.map-marker[data-device-id="${target.id}"]`);
      await areaPage.getByRole('button', { name: 'Draw signals area' }).click();
      const box = await targetMarker.locator('circle').boundingBox();
      if (!box) throw new Error('the marker is not drawn');
      const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      await areaPage.mouse.move(centre.x - 25, centre.y - 25);
      await areaPage.mouse.down();
      await areaPage.mouse.move(centre.x + 25, centre.y + 25, { steps: 5 });
      await areaPage.mouse.up();
      await areaMap.locator('.leaflet-overlay-pane path.map-area').waitFor();
      const targetLat = Number(await targetMarker.getAttribute('data-lat'));
      const targetLon = Number(await targetMarker.getAttribute('data-lon'));
      await areaPage.getByRole('link', { name: 'Signals in area' }).click();
      await areaPage.locator('#filter-minLat:not([value=""])').waitFor();
      const bound = async (name: string): Promise<number> =>
        Number(await areaPage.locator(`#filter-${name}`).inputValue());
      expect(await bound('minLat')).toBeLessThan(targetLat);
      expect(await bound('maxLat')).toBeGreaterThan(targetLat);
      expect(await bound('minLon')).toBeLessThan(targetLon);
      expect(await bound('maxLon')).toBeGreaterThan(targetLon);
      await areaPage.locator('table.signals-table[aria-busy="false"]').waitFor();
      await eventually(
        async () => {
          const shown = await areaPage.locator('table.signals-table tbody tr td:nth-child(2)').allInnerTexts();
          return shown.length > 0 && shown.every((id) => id === target.id) ? true : undefined;
        },
        10_000,
        "only the area's signals",
      );
      browser.off('console', onConsole);
      expect(cspViolations).toEqual([]);
      await areaPage.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "shows a device's figures, hourly trend, track and raw signal details",
    async () => {
      const device = DEVICES[1];
      const page = await openSignedIn(browser, stack.gateway.url, stack.adminApiKey, `#/device/${device.id}`);
      await page.locator('.trend-chart canvas').waitFor();
      await page.locator('.device-range .map-track').waitFor();
      const inRange = Number(await page.locator('[data-field="rangeSignalCount"]').innerText());
      expect(inRange).toBeGreaterThan(0);
      await page.locator('table.device-signals tbody tr').first().waitFor();
      await screenshot(page, 'dashboard-device');
      await page
        .getByRole('button', { name: /^Details/ })
        .first()
        .click();
      await page.getByText(/^Raw record/).click();
      await page.locator('.raw-json', { hasText: device.id }).waitFor();
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stays readable at phone width, with wide tables scrolling inside their frame',
    async () => {
      const page = await openSignedIn(browser, stack.gateway.url, stack.adminApiKey, '#/fleet');
      await page.setViewportSize({ width: 390, height: 844 });
      await page
        .locator('table.fleet-table tbody tr')
        .nth(DEVICES.length - 1)
        .waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, 'dashboard-phone');
      await page.evaluate(() => {
        window.location.hash = '#/map';
      });
      await page.locator('.map-marker').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.close();
    },
    TEST_TIMEOUT_MS,
  );
});
