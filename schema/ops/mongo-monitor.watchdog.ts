import { setTimeout as delay } from 'node:timers/promises';
import type { mongo } from 'mongoose';
import type { Logger } from './logger';

/**
 * Longest wait to open a database connection, and for the monitor's `hello` on it. It also bounds
 * how long a hung server monitor goes unnoticed ({@link reconnectWhenMonitorHangs}): the driver's
 * default (30 s) would notice only after a message retried through a 20 s outage ran out of attempts.
 */
export const MONGO_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Reconnects `client` when one of its server monitors has hung, which otherwise leaves a service
 * (processor, gateway) unable to reach the database for good once a database outage is over.
 *
 * The mongodb driver (7.2; 7.9 still does the same) checks a server over a monitoring connection it
 * keeps open. When the server end closes that connection (a database restart, or the outage test's
 * proxy), Node marks the socket destroyed, but delivers the 'close' event by which the driver learns
 * of it only on a later turn of the event loop. A check started in between (every operation that
 * finds the server unknown requests one at once) writes its `hello` to the destroyed socket:
 * `write()` returns false and the socket never emits 'drain' nor 'error', and the driver awaits that
 * 'drain' without a timeout. The check never ends, so the monitor never checks again: the server
 * stays unknown, its pool paused, and every operation fails server selection although the database
 * answers. The more operations are under way when the connections drop, the likelier one lands in
 * that window (with three batches in flight, about four 20 s outages in nine).
 *
 * A check otherwise ends within `connectTimeoutMS` to connect plus as long for the `hello`, plus
 * `heartbeatFrequencyMS` when the server streams its answers; one outstanding longer has hung.
 * Closing and reconnecting the client (new topology, monitors and pool; the mongoose connection and
 * its models keep working) is the only public way out. Operations meanwhile fail and are retried.
 */
export function reconnectWhenMonitorHangs(client: mongo.MongoClient, logger: Logger): { stop(): Promise<void> } {
  const { connectTimeoutMS, heartbeatFrequencyMS } = client.options;
  /** Per server address: the timer that fires if its current check has not ended by then. */
  const deadlines = new Map<string, NodeJS.Timeout>();
  let reconnecting: Promise<void> | undefined;
  let stopped = false;
  const stopping = new AbortController();

  const checkEnded = (event: { connectionId: string }): void => {
    clearTimeout(deadlines.get(event.connectionId));
    deadlines.delete(event.connectionId);
  };
  const checkStarted = (event: mongo.ServerHeartbeatStartedEvent): void => {
    checkEnded(event);
    // connectTimeoutMS 0 waits without limit, so no check could be told to have hung.
    if (stopped || reconnecting !== undefined || connectTimeoutMS === 0) return;
    const limitMs = 2 * connectTimeoutMS + (event.awaited ? heartbeatFrequencyMS : 0);
    const deadline = setTimeout(() => {
      deadlines.delete(event.connectionId);
      logger.error({ server: event.connectionId, limitMs }, 'database monitor hung; reconnecting the client');
      reconnecting = reconnect().finally(() => {
        reconnecting = undefined;
      });
    }, limitMs);
    // Nothing to watch once everything else has ended.
    deadline.unref();
    deadlines.set(event.connectionId, deadline);
  };

  const reconnect = async (): Promise<void> => {
    for (const deadline of deadlines.values()) clearTimeout(deadline);
    deadlines.clear();
    try {
      await client.close();
    } catch (error) {
      // Whatever the old topology left behind, a new one is what is needed.
      logger.warn({ err: error }, 'closing the hung database client failed');
    }
    // The database may still be down. An attempt waits up to serverSelectionTimeoutMS for it; one that
    // fails sooner (refused credentials, say) is spaced out to that too, since nothing announces when
    // the database answers again.
    while (!stopped) {
      const started = Date.now();
      try {
        await client.connect();
        logger.warn('database client reconnected');
        return;
      } catch (error) {
        logger.warn({ err: error }, 'database client reconnect failed; trying again');
      }
      const pauseMs = client.options.serverSelectionTimeoutMS - (Date.now() - started);
      if (pauseMs > 0) await delay(pauseMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };

  client.on('serverHeartbeatStarted', checkStarted);
  client.on('serverHeartbeatSucceeded', checkEnded);
  client.on('serverHeartbeatFailed', checkEnded);
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      client.off('serverHeartbeatStarted', checkStarted);
      client.off('serverHeartbeatSucceeded', checkEnded);
      client.off('serverHeartbeatFailed', checkEnded);
      for (const deadline of deadlines.values()) clearTimeout(deadline);
      deadlines.clear();
      await reconnecting;
    },
  };
}
