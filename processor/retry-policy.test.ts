import { DEFAULT_RETRY_POLICY, retryDecisionFor } from './retry-policy';

describe('retryDecisionFor', () => {
  it('doubles the wait after each failed attempt', () => {
    const delays = [1, 2, 3, 4].map((attempt) => retryDecisionFor(attempt, DEFAULT_RETRY_POLICY));
    expect(delays).toEqual([
      { action: 'retry', delayMs: 2_000, nextAttempt: 2, held: false },
      { action: 'retry', delayMs: 4_000, nextAttempt: 3, held: false },
      { action: 'retry', delayMs: 8_000, nextAttempt: 4, held: false },
      { action: 'retry', delayMs: 16_000, nextAttempt: 5, held: false },
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

  it('holds a message whose last attempt failed during an outage, as the same attempt, at the last backoff', () => {
    expect(retryDecisionFor(5, DEFAULT_RETRY_POLICY, { dependencyDown: true, heldForMs: 0 })).toEqual({
      action: 'retry',
      delayMs: 32_000,
      nextAttempt: 5,
      held: true,
    });
    // Earlier attempts back off as usual whatever the dependencies do.
    expect(retryDecisionFor(2, DEFAULT_RETRY_POLICY, { dependencyDown: true, heldForMs: 0 })).toEqual({
      action: 'retry',
      delayMs: 4_000,
      nextAttempt: 3,
      held: false,
    });
  });

  it('dead-letters a held message once it was held for the longest hold, or holding is off', () => {
    const day = DEFAULT_RETRY_POLICY.maxHoldMs;
    expect(retryDecisionFor(5, DEFAULT_RETRY_POLICY, { dependencyDown: true, heldForMs: day - 1 })).toMatchObject({
      held: true,
    });
    expect(retryDecisionFor(5, DEFAULT_RETRY_POLICY, { dependencyDown: true, heldForMs: day })).toEqual({
      action: 'dead-letter',
    });
    expect(
      retryDecisionFor(5, { ...DEFAULT_RETRY_POLICY, maxHoldMs: 0 }, { dependencyDown: true, heldForMs: 0 }),
    ).toEqual({ action: 'dead-letter' });
  });

  it('caps a single wait', () => {
    expect(retryDecisionFor(9, { baseDelayMs: 1_000, maxDelayMs: 5_000, maxAttempts: 20, maxHoldMs: 0 })).toMatchObject(
      {
        delayMs: 5_000,
      },
    );
  });
});
