import type { ValidationIssue } from '../schema';

/** Issues listed by {@link summarizeIssues} before the rest are only counted. */
const LISTED_ISSUES = 20;

/**
 * The first issues of a refused message and a count of the others, joined with `; `: all of a
 * 10,000-sample message's could make a command reply or a dead-letter header of megabytes.
 */
export function summarizeIssues(issues: ReadonlyArray<ValidationIssue>): string {
  const listed = issues.slice(0, LISTED_ISSUES).map((issue) => `${issue.path}: ${issue.message}`);
  if (issues.length > listed.length) listed.push(`and ${issues.length - listed.length} more issues`);
  return listed.join('; ');
}
