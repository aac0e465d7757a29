import { boundedReason, MAX_DEAD_LETTER_REASON_LENGTH } from './dead-letter-reason';

describe('boundedReason', () => {
  it('keeps a reason within the bound as it is', () => {
    const reason = 'x'.repeat(MAX_DEAD_LETTER_REASON_LENGTH);
    expect(boundedReason(reason)).toBe(reason);
  });

  it('cuts a longer reason to the bound, saying how much was left out', () => {
    const reason = 'y'.repeat(100_000);
    const bounded = boundedReason(reason);
    expect(bounded).toHaveLength(MAX_DEAD_LETTER_REASON_LENGTH);
    expect(bounded.startsWith('yyyy')).toBe(true);
    expect(bounded).toMatch(new RegExp(`… \\(${100_000 - MAX_DEAD_LETTER_REASON_LENGTH} more characters\\)$`));
  });
});
