import { listedIssues, type ValidationIssue } from '../schema';

/** The first issues of a refused message and a count of the others (`listedIssues`), joined with `; `. */
export function summarizeIssues(issues: ReadonlyArray<ValidationIssue>): string {
  const { listed, omitted } = listedIssues(issues);
  const parts = listed.map((issue) => `${issue.path}: ${issue.message}`);
  if (omitted > 0) parts.push(`and ${omitted} more issues`);
  return parts.join('; ');
}
