/** Types of check-compose.js (plain JavaScript, so CI can run it before anything is built). */

export interface ComposeCheckInput {
  /** The compose file's text. */
  composeText: string;
  /** The folder the compose file lives in (build contexts are relative to it). */
  root: string;
  /** Variables for `${...}` interpolation (default: none set). */
  env?: Record<string, string | undefined>;
  /** Stands in for a required variable that is unset (default `<NAME>`). */
  placeholder?: (name: string) => string;
}

export interface ComposeCheckResult {
  /** Every problem found; empty when the file is fine. */
  problems: string[];
  /** Variables the file requires (`${NAME:?message}`) that `env` did not set, sorted. */
  requiredVariables: string[];
  /** Each service's environment after interpolation. */
  services: Record<string, { environment: Record<string, string> }>;
}

export function checkCompose(input: ComposeCheckInput): ComposeCheckResult;

export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
  state: { required: Set<string>; problems: string[]; where: string; placeholder: (name: string) => string },
): string;
