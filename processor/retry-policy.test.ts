import { DEFAULT_RETRY_POLICY, retryDecisionFor } from './retry-policy';

describe('retryDecisionFor', () => {
  it('doubles the wait after each failed attempt', () => {
    const delays = [1, 2, 3, 4].map((attempt) => retryDecisionFor(attempt, DEFAULT_RETRY_POLICY));
    expect(delays).toEqual([
      { action: 'retry', delayMs: 2_000, nextAttempt: 2 },
      { action: 'retry', delayMs: 4_000, nextAttempt: 3 },
      { action: 'retry', delayMs: 8_000, nextAttempt: 4 },
      { action: 'retry', delayMs: 16_000, nextAttempt: 5 },
    ]);
  });

  it('waits longer in all than a 20 s outage before giving up', () => {
    let waited = 0;
    for (let attempt = 1; ; attempt += 1) {
      const decision = retryDecisionFor(attempt, DEFAULT_RETRY_POLICY);
      if (decision.action === 'dead-letter') break;
      waited += decision.delayMs;
    }
    expect(waited).toBeGreaterThan(20_000);
  });

  it('dead-letters after the last attempt', () => {
    expect(retryDecisionFor(5, DEFAULT_RETRY_POLICY)).toEqual({ action: 'dead-letter' });
  });

  it('caps a single wait', () => {
    expect(retryDecisionFor(9, { baseDelayMs: 1_000, maxDelayMs: 5_000, maxAttempts: 20 })).toMatchObject({
      delayMs: 5_000,
    });
  });
});
