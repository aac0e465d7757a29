import { summarizeIssues } from './validation-summary';

const issue = (index: number) => ({ path: `$.dev.data[${index}]`, message: 'must be a finite number' });

describe('summarizeIssues', () => {
  it('lists up to 20 issues in full', () => {
    const issues = Array.from({ length: 20 }, (_, index) => issue(index));
    expect(summarizeIssues(issues).split('; ')).toEqual(issues.map((i) => `${i.path}: ${i.message}`));
  });

  it('lists the first 20 of more and counts the rest', () => {
    const parts = summarizeIssues(Array.from({ length: 10_000 }, (_, index) => issue(index))).split('; ');
    expect(parts).toHaveLength(21);
    expect(parts[19]).toBe('$.dev.data[19]: must be a finite number');
    expect(parts[20]).toBe('and 9980 more issues');
  });
});
