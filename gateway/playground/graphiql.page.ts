import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { PLAYGROUND_FETCHER_SCRIPT } from './playground-fetcher.script';

/** The rendered playground: one self-contained page and the CSP it runs under. */
export interface PlaygroundPage {
  html: string;
  /** Value of the `Content-Security-Policy` header for the page (scripts allowed by hash only). */
  contentSecurityPolicy: string;
}

export interface PlaygroundPageOptions {
  /** Path of the GraphQL endpoint (HTTP and websocket), e.g. `/graphql`. */
  endpoint: string;
  title?: string;
  defaultQuery?: string;
}

const FETCHER_MARKER = '__XRAY_PLAYGROUND_FETCHER__';

const DEFAULT_QUERY = `# Put your API key into the Headers tab below ("X-API-Key"), then
# re-fetch the schema (the circular-arrows button, or Shift-Ctrl-R) for
# the docs and autocompletion. Subscriptions use the same key.

query LatestSignals {
  signals(first: 5) {
    edges { node { id deviceId time dataLength stats { distanceMeters maxSpeed } } }
    pageInfo { hasNextPage endCursor }
  }
}

subscription LiveSignals {
  signalProcessed { id deviceId time end { lat lon speed } }
}
`;

/** The graphql-ws browser build shipped in the installed package (no CDN). */
function graphqlWsBrowserBuild(): string {
  const packageDir = path.resolve(path.dirname(require.resolve('graphql-ws')), '..');
  return readFileSync(path.join(packageDir, 'umd', 'graphql-ws.min.js'), 'utf8');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function sha256Source(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/**
 * Renders GraphiQL (`@graphql-yoga/render-graphiql`: scripts, styles, editor workers and icon all
 * inline, nothing fetched from elsewhere) with a fetcher of our own: the headers editor starts
 * with `X-API-Key`, and subscriptions run over graphql-ws with that key as
 * `connectionParams.apiKey`. Headers are not persisted in the browser's storage.
 */
export function renderPlaygroundPage(options: PlaygroundPageOptions): PlaygroundPage {
  const yogaPage = renderGraphiQL({
    title: options.title ?? 'XRayIOT GraphQL',
    defaultQuery: options.defaultQuery ?? DEFAULT_QUERY,
    headers: JSON.stringify({ 'X-API-Key': '' }, null, 2),
    shouldPersistHeaders: false,
    fetcher: FETCHER_MARKER,
  } as never);
  const marker = JSON.stringify(FETCHER_MARKER);
  if (yogaPage.split(marker).length !== 2)
    throw new Error('unexpected GraphiQL page: the fetcher option was not found exactly once');
  const scripts =
    `<script>${graphqlWsBrowserBuild()}</script>\n` +
    `<script data-endpoint="${escapeAttribute(options.endpoint)}">${PLAYGROUND_FETCHER_SCRIPT}</script>\n`;
  const rootDiv = '<div id="root"></div>';
  if (yogaPage.split(rootDiv).length !== 2) throw new Error('unexpected GraphiQL page: no single root element');
  // Replacer functions: the inserted code contains `$` sequences that a replacement string would expand.
  const html = yogaPage
    .replace(marker, () => 'window.xrayPlaygroundFetcher')
    .replace(rootDiv, () => `${rootDiv}\n${scripts}`);

  const inlineScripts = [...html.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '');
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${inlineScripts.map(sha256Source).join(' ')}`,
    // React and the editor set inline styles.
    "style-src 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // The editor's language workers are created from blob: URLs of inline code.
    'worker-src blob:',
    // 'self' covers the same-origin ws:/wss: endpoint in CSP3 browsers.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
