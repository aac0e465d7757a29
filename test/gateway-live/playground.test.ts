import type { Redis } from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { Disposables } from '../support/disposables';
import type { SuiteInfra } from '../support/suite-infra';
import { LIVE_ADMIN_KEY, metricValue, type GatewayUnderTest, type SuiteDatabase } from './support/gateway-under-test';
import { startLiveStack } from './support/live-stack';
import { makeSignal, store, storeAndPublish } from './support/signal-fixtures';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

describe('GraphiQL playground', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let db: SuiteDatabase;
  let gateway: GatewayUnderTest;
  let publisher: Redis;
  let origin: string;
  let browser: BrowserContext;
  const externalRequests: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ infra, db, gateway, publisher } = await startLiveStack(disposables, 'gateway-playground'));
    origin = gateway.gateway.url;
    browser = await launchChromium(disposables);
    browser.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith(origin.replace('http', 'ws')) && !/^(data|blob):/.test(url))
        externalRequests.push(url);
    });
  });
  afterAll(() => disposables.disposeAll());

  async function openPlayground(query: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`${origin}/graphql?query=${encodeURIComponent(query)}`);
    // The headers editor: open its tab, replace its text with the key.
    await page.getByRole('button', { name: /^headers$/i }).click();
    const headersEditor = page.locator('.graphiql-editor-tool .monaco-editor').last();
    await headersEditor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(`{"X-API-Key": "${LIVE_ADMIN_KEY}"}`);
    await page.waitForFunction(
      (key) =>
        Array.from(document.querySelectorAll('.graphiql-editor-tool .view-lines')).some((el) =>
          (el.textContent ?? '').replace(/\u00a0/g, ' ').includes(key),
        ),
      LIVE_ADMIN_KEY,
    );
    return page;
  }

  async function run(page: Page): Promise<void> {
    await page.locator('.graphiql-execute-button').click();
  }

  async function responseContains(page: Page, text: string): Promise<void> {
    await page.waitForFunction(
      (expected) =>
        // Whitespace collapsed: the editor wraps long lines (a wrap shows as a run of spaces).
        (document.querySelector('.graphiql-response')?.textContent ?? '').replace(/\s+/g, ' ').includes(expected),
      text,
      { timeout: 30_000 },
    );
  }

  it('serves GraphiQL to browsers at GET /graphql with nothing fetched from elsewhere', async () => {
    const response = await fetch(`${origin}/graphql`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'sha256-[^']+'/);
    expect(csp).not.toMatch(/unsafe-eval|https?:/);
    const html = await response.text();
    expect(html).toContain('X-API-Key');
    // No element loads anything by URL: no src/href to http(s), no CSS @import or url(http...).
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    // JSON clients still reach the API, not the page.
    const api = await fetch(`${origin}/graphql`, { headers: { accept: 'application/json' } });
    expect(api.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });

  it('runs a query in Chromium with the API key from the headers editor', async () => {
    const fixture = makeSignal('playground-1');
    await store(db.models.signals, [fixture]);
    const page = await openPlayground('query Latest { signals(first: 5) { edges { node { id deviceId } } } }');
    await run(page);
    await responseContains(page, fixture.event.signalId);
    await page.close();
  });

  it('runs a subscription over graphql-ws in Chromium and shows live signals', async () => {
    const page = await openPlayground(
      'subscription Live { signalProcessed(deviceIds: ["playground-2"]) { id deviceId } }',
    );
    await run(page);
    await waitFor(
      'the playground subscription',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === 1,
    );
    const fixture = makeSignal('playground-2');
    await storeAndPublish(db.models.signals, publisher, infra.namespace, [fixture]);
    await responseContains(page, fixture.event.signalId);
    await page.close();
    await waitFor(
      'the subscription to end with the page',
      async () => (await metricValue(gateway.registry, 'gateway_ws_active_subscriptions')) === 0,
    );
  });

  it('without a key, answers with where the key goes and sends nothing to the API', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Counts the page's fetches as they are made, before any answer is shown.
    await page.addInitScript(() => {
      const counted = window as unknown as { apiFetches: number };
      counted.apiFetches = 0;
      const original = window.fetch.bind(window);
      window.fetch = (...args: Parameters<typeof fetch>) => {
        counted.apiFetches += 1;
        return original(...args);
      };
    });
    await page.goto(
      `${origin}/graphql?query=${encodeURIComponent('query Latest { signals(first: 1) { edges { cursor } } }')}`,
    );
    // GraphiQL fetches the schema on load: that answer already says where the key goes.
    await responseContains(page, 'was not sent: no API key yet');
    await run(page);
    await responseContains(page, 'Latest was not sent: no API key yet');
    await responseContains(page, 'UNAUTHENTICATED');
    expect(await page.evaluate(() => (window as unknown as { apiFetches: number }).apiFetches)).toBe(0);
    await page.close();
  });

  it('loaded nothing from outside the gateway, broke no CSP rule and threw no script error', () => {
    expect(externalRequests).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
