import { randomUUID } from 'node:crypto';

const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Correlation-Id` when it is a safe token, else a fresh UUID (never trust raw header text in logs). */
export function correlationIdFrom(header: string | undefined): string {
  return header !== undefined && CORRELATION_ID_PATTERN.test(header) ? header : randomUUID();
}
