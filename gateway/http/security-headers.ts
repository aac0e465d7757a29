import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * helmet with a CSP that lets the offline GraphiQL page and the dashboard run from this origin
 * alone (scripts and fonts from 'self', inline styles for their UI libraries, websockets to 'self')
 * plus, when configured, the dashboard's map tile origin.
 */
export function securityHeaders(tileSource: string | undefined): RequestHandler {
  const extra = tileSource ? [tileSource] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...extra],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", ...extra],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Served over plain HTTP on LANs too: upgrading would break every asset there.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}
