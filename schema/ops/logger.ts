import pino, { type Logger } from 'pino';

/** A logger as every deployable takes it: injected, never imported as a singleton. */
export type { Logger } from 'pino';

/**
 * Structured JSON logger of one service. `level: 'silent'` is what tests pass.
 * Every line carries `service`, so one log stream can hold all three deployables.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
