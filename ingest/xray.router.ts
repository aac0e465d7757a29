import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from 'express';
import type { Logger } from '../schema';
import { correlationIdFrom } from './correlation-id';
import { type IngestErrorCode, errorBody, statusOf } from './ingest-error';
import type { IngestMetrics } from './ingest.metrics';
import type { RequestHeaders } from './signed-request';
import type { XRayIntakeRequest, XRayIntakeResponse } from './xray-intake.handler';

export interface XRayRouterOptions {
  handle: (request: XRayIntakeRequest) => Promise<XRayIntakeResponse>;
  bodyLimitBytes: number;
  metrics: IngestMetrics;
  logger: Logger;
  /** True once shutdown began: new requests get 503 so clients go to another replica. */
  isClosing: () => boolean;
  /** Tracks a request until its answer is written, so shutdown can wait for it. */
  track: (work: Promise<unknown>) => void;
}

/** Path of the intake endpoint. */
export const XRAY_PATH = '/v1/xray';

function firstHeaderValues(req: Request): RequestHeaders {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value[0] : value;
  }
  return headers;
}

function isJsonContentType(req: Request): boolean {
  const header = req.headers['content-type'];
  if (!header) return false;
  const [mediaType, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

/** The thin HTTP adapter of the intake: content type and size checks, raw body, then the transport-agnostic core. */
export function createXRayRouter(options: XRayRouterOptions): Router {
  const { metrics, logger } = options;
  const router = Router();

  const send = (
    res: Response,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    refusal?: string,
  ): void => {
    metrics.observeAnswer(status, refusal);
    res.status(status).set(headers).json(body);
  };
  const refuse = (
    req: Request,
    res: Response,
    code: IngestErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ): void => {
    const correlationId = correlationIdFrom(firstHeaderValues(req)['x-correlation-id']);
    logger.info({ correlationId, code }, 'x-ray refused');
    send(res, statusOf(code), errorBody(code, message), { 'x-correlation-id': correlationId, ...headers }, code);
  };

  const refuseShuttingDown = (req: Request, res: Response): void => {
    res.set('connection', 'close');
    refuse(req, res, 'SHUTTING_DOWN', 'ingest is shutting down; retry', { 'retry-after': '1' });
  };
  const refuseWhileClosing: RequestHandler = (req, res, next) => {
    if (!options.isClosing()) return next();
    refuseShuttingDown(req, res);
  };
  const requireJson: RequestHandler = (req, res, next) => {
    if (isJsonContentType(req)) return next();
    refuse(req, res, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json (UTF-8)');
  };
  // No inflating: the signature covers the body bytes exactly as sent, so a compressed body is refused (415).
  const rawBody = express.raw({ type: () => true, limit: options.bodyLimitBytes, inflate: false });
  const intake: RequestHandler = (req, res) => {
    // Again once the body is in: a slow upload begun before shutdown must not start work that the
    // shutdown, which waits only for work already started, would cut off midway.
    if (options.isClosing()) {
      refuseShuttingDown(req, res);
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const work = options.handle({ headers: firstHeaderValues(req), body }).then(
      (answer) => send(res, answer.status, answer.body, answer.headers, answer.refusal),
      (error: unknown) => {
        logger.error({ err: error }, 'x-ray intake failed');
        refuse(req, res, 'INTERNAL_ERROR', 'unexpected error; nothing was stored');
      },
    );
    options.track(work);
  };
  const bodyErrors: ErrorRequestHandler = (error: { type?: string; status?: number }, req, res, next) => {
    if (res.headersSent) return next(error);
    switch (error.type) {
      case 'entity.too.large':
        return refuse(req, res, 'PAYLOAD_TOO_LARGE', `the body is over the limit of ${options.bodyLimitBytes} bytes`);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return refuse(req, res, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content encoding');
      case 'request.aborted':
      case 'request.size.invalid':
        return refuse(req, res, 'MALFORMED_JSON', 'the body ended early');
      default:
        logger.error({ err: error }, 'x-ray request failed');
        return refuse(req, res, 'INTERNAL_ERROR', 'unexpected error; nothing was stored');
    }
  };

  router.post(XRAY_PATH, refuseWhileClosing, requireJson, rawBody, intake, bodyErrors);
  router.all(XRAY_PATH, (req, res) => {
    res.set('allow', 'POST');
    refuse(req, res, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on ${XRAY_PATH}; use POST`);
  });
  return router;
}
