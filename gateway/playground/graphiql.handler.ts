import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'express';
import { renderPlaygroundPage, type PlaygroundPageOptions } from './graphiql.page';

interface ServedPage {
  html: Buffer;
  gzipped: Buffer;
  contentSecurityPolicy: string;
}

/**
 * `GET <endpoint>` from a browser (Accept prefers text/html): the offline GraphiQL playground.
 * Any other request (JSON clients, POST) passes to the next handler.
 *
 * The page (~9 MB, ~2.5 MB gzipped) is rendered on the first request and kept. The response
 * sets its own Content-Security-Policy, replacing the app-wide one: scripts by hash, inline
 * styles, blob: workers, same-origin fetch and websocket.
 */
export function graphiqlHandler(options: PlaygroundPageOptions): RequestHandler {
  let page: ServedPage | undefined;
  const load = (): ServedPage => {
    if (page) return page;
    const rendered = renderPlaygroundPage(options);
    const html = Buffer.from(rendered.html, 'utf8');
    page = { html, gzipped: gzipSync(html), contentSecurityPolicy: rendered.contentSecurityPolicy };
    return page;
  };
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) !== 'text/html')
      return next();
    const { html, gzipped, contentSecurityPolicy } = load();
    res.setHeader('Content-Security-Policy', contentSecurityPolicy);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Vary', 'Accept, Accept-Encoding');
    res.type('html');
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.send(gzipped);
    } else {
      res.send(html);
    }
  };
}
