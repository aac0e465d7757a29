/** Longest dead-letter reason kept, in characters. */
export const MAX_DEAD_LETTER_REASON_LENGTH = 2_000;

/**
 * The reason, cut to {@link MAX_DEAD_LETTER_REASON_LENGTH}: AMQP header tables are bounded (amqplib
 * refuses one over 64 KiB), and a park that can never be published would requeue the message forever.
 */
export function boundedReason(reason: string): string {
  if (reason.length <= MAX_DEAD_LETTER_REASON_LENGTH) return reason;
  const omitted = `… (${reason.length - MAX_DEAD_LETTER_REASON_LENGTH} more characters)`;
  return reason.slice(0, MAX_DEAD_LETTER_REASON_LENGTH - omitted.length) + omitted;
}
