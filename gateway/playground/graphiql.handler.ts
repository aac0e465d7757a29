import type { RequestHandler } from 'express';
import { renderPlaygroundPage, type PlaygroundPageOptions } from './graphiql.page';

/**
 * `GET <endpoint>` from a browser (Accept prefers text/html): the offline GraphiQL playground.
 * Any other request (JSON clients, POST) passes to the next handler. The page is rendered once;
 * the response sets its own Content-Security-Policy (replacing the app-wide one): scripts
 * by hash, inline styles, blob: workers, same-origin fetch and websocket.
 */
export function graphiqlHandler(options: PlaygroundPageOptions): RequestHandler {
  const page = renderPlaygroundPage(options);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) !== 'text/html') return next();
    res.setHeader('Content-Security-Policy', page.contentSecurityPolicy);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(page.html);
  };
}
