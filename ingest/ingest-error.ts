import { listedIssues } from '../schema';

/** Every refusal ingest answers, with its HTTP status. The codes are stable: clients switch on them. */
export const INGEST_ERRORS = {
  MALFORMED_JSON: 400,
  SCHEMA_VIOLATION: 400,
  INVALID_HEADER: 400,
  MISSING_AUTHENTICATION: 401,
  SIGNATURE_MISMATCH: 401,
  TIMESTAMP_OUT_OF_WINDOW: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NONCE_REUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  BROKER_UNAVAILABLE: 503,
  DEPENDENCY_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  REQUEST_IN_PROGRESS: 503,
} as const;

/** A stable machine code of one refusal. */
export type IngestErrorCode = keyof typeof INGEST_ERRORS;

/** One detail of a refusal, e.g. a bad field and its JSON path. */
export interface IngestErrorDetail {
  path: string;
  message: string;
}

/** The JSON body of every refusal. */
export interface IngestErrorBody {
  error: { code: IngestErrorCode; message: string; details?: IngestErrorDetail[] };
}

/** HTTP status of a code. */
export function statusOf(code: IngestErrorCode): number {
  return INGEST_ERRORS[code];
}

/** The body of a refusal; `details` only when there are some, the first ones and a count of the rest (`listedIssues`). */
export function errorBody(code: IngestErrorCode, message: string, details?: IngestErrorDetail[]): IngestErrorBody {
  if (!details || details.length === 0) return { error: { code, message } };
  const { listed, omitted } = listedIssues(details);
  if (omitted === 0) return { error: { code, message, details } };
  return {
    error: { code, message, details: [...listed, { path: '$', message: `and ${omitted} more issues` }] },
  };
}
