/** What the rate limiter decided for one request or websocket subscribe. */
export interface RateLimitDecision {
  allowed: boolean;
  /** How long to wait before a retry is allowed; 0 when allowed. */
  retryAfterMs: number;
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** Time until the current window resets. */
  resetMs: number;
}
