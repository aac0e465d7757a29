import { z } from 'zod';
import { DEFAULT_NAMESPACE } from '../channels';

/*
 * Field builders of the deployables' environment schemas (see parseEnv). Every message completes the
 * sentence `<VARIABLE> …` that parseEnv starts, saying what was expected and what was given. Values
 * that may hold credentials (URLs, secrets) are described, never echoed: the message ends up in logs.
 */

/** Longest given value quoted in full; a longer one is cut, so the message stays one short line. */
const MAX_QUOTED_LENGTH = 64;

/** The pino levels `LOG_LEVEL` accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function quoted(value: string): string {
  return JSON.stringify(value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value);
}

/** A string variable; unset reads as "is required but not set" (a default or `.optional()` applies first). */
function text() {
  return z.string({
    error: (issue) =>
      issue.input === undefined ? 'is required but not set' : `must be text, got ${typeof issue.input}`,
  });
}

/**
 * A whole number in [`min`, `max`], `fallback` when unset. An empty value is refused, not read as
 * `Number('')` = 0: `GATEWAY_PORT=` must not quietly pick a random port.
 */
export function envInteger(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  return text()
    .transform((given, context) => {
      const value = given.trim() === '' ? Number.NaN : Number(given);
      if (Number.isInteger(value) && value >= min && value <= max) return value;
      context.addIssue({ code: 'custom', message: `must be ${expected}, got ${quoted(given)}` });
      return z.NEVER;
    })
    .default(fallback);
}

/** A finite number above 0 (fractions allowed), `fallback` when unset. */
export function envPositiveNumber(fallback: number) {
  return text()
    .transform((given, context) => {
      const value = Number(given);
      if (Number.isFinite(value) && value > 0) return value;
      context.addIssue({ code: 'custom', message: `must be a number > 0, got ${quoted(given)}` });
      return z.NEVER;
    })
    .default(fallback);
}

/** Longest delay Node's timers take (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration in ms that ends up in a timer (a timeout, an interval), in [`min`, {@link MAX_TIMER_MS}]. */
export function envTimerMs(fallback: number, min: number) {
  return envInteger(fallback, min, MAX_TIMER_MS);
}

/** A TCP port to listen on, 0 to 65535 (0 picks a free one), `fallback` when unset. */
export function envPort(fallback: number) {
  return envInteger(fallback, 0, 65_535);
}

/** The interface to listen on, `0.0.0.0` (all) when unset. */
export function envHost() {
  return text().min(1, 'must be a host name or address, got an empty value').default('0.0.0.0');
}

/**
 * A required URL whose scheme is one of `protocols` (as `URL#protocol` spells them: `amqp:`).
 * Add `.optional()` for an optional one.
 */
export function envUrl(protocols: readonly string[]) {
  const expected = `a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`;
  return text().check((context) => {
    const given = context.value;
    const protocol = protocolOf(given);
    if (protocol !== undefined && protocols.includes(protocol)) return;
    // A URL may carry a password: say what kind of value it was, never the value.
    const described =
      given === ''
        ? 'an empty value'
        : protocol === undefined
          ? 'a value that is not a URL'
          : `one starting with ${protocol}//`;
    context.issues.push({ code: 'custom', message: `must be ${expected}, got ${described}`, input: given });
  });
}

function protocolOf(value: string): string | undefined {
  try {
    return new URL(value).protocol;
  } catch {
    return undefined;
  }
}

/**
 * A secret of `minLength` to `maxLength` characters. Messages give its length, never the secret.
 * Add `.optional()` for an optional one.
 */
export function envSecret(minLength: number, maxLength = Number.MAX_SAFE_INTEGER) {
  const characters = (count: number) => (count === 1 ? '1 character' : `${count} characters`);
  const given = (value: string) => (value === '' ? 'an empty value' : characters(value.length));
  return text().check((context) => {
    const { length } = context.value;
    if (length >= minLength && length <= maxLength) return;
    const expected = length < minLength ? `at least ${characters(minLength)}` : `at most ${characters(maxLength)}`;
    context.issues.push({
      code: 'custom',
      message: `must be ${expected} long, got ${given(context.value)}`,
      input: context.value,
    });
  });
}

/** `XRAY_NAMESPACE`: the prefix of Redis keys and channels, `xray` when unset. */
export function envNamespace() {
  return text()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, {
      error: (issue) => `must be 1 to 64 letters, digits, "_" or "-", got ${quoted(String(issue.input))}`,
    })
    .default(DEFAULT_NAMESPACE);
}

/** `LOG_LEVEL`: one of {@link LOG_LEVELS}, `info` when unset. */
export function envLogLevel() {
  return z
    .enum(LOG_LEVELS, {
      error: (issue) => `must be one of ${LOG_LEVELS.join(', ')}, got ${quoted(String(issue.input))}`,
    })
    .default('info');
}
