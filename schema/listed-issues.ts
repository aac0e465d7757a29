/**
 * Most issues a refusal lists (ingest's details, the gateway's `extensions.issues`, the processor's
 * dead-letter reasons and command replies). A 10,000-sample message can have tens of thousands of
 * issues: the first ones and a count of the rest are what a client acts on, without an answer (or a
 * log line, or an AMQP header) of megabytes.
 */
export const MAX_LISTED_ISSUES = 20;

/** The first {@link MAX_LISTED_ISSUES} of `issues`, and how many more there are. */
export function listedIssues<T>(issues: ReadonlyArray<T>): { listed: T[]; omitted: number } {
  const listed = issues.slice(0, MAX_LISTED_ISSUES);
  return { listed, omitted: issues.length - listed.length };
}
