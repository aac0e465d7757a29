/** What starting a deployable returns: where it listens and how to stop it gracefully. */
export interface RunningService {
  /** Base URL, e.g. `http://127.0.0.1:3001`. */
  url: string;
  port: number;
  /** Stop accepting, drain in-flight work, ack what finished, close clients in reverse order. */
  close(): Promise<void>;
}

/**
 * Runs `close` once on SIGTERM or SIGINT, then exits; a second signal exits at once.
 * Only a bootstrap file calls this.
 */
export function closeOnSignals(close: () => Promise<void>, onError: (error: unknown) => void): void {
  let closing = false;
  const handler = (): void => {
    if (closing) process.exit(1);
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        onError(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
