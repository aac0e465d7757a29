import mongoose from 'mongoose';

const { mongo } = mongoose;

/** Seconds a client is told to wait (`Retry-After`) before retrying a request an outage refused. */
export const OUTAGE_RETRY_AFTER_SEC = 1;

/** What a client is told when the database cannot answer; the cause goes to the log only. */
export const OUTAGE_MESSAGE = 'the database is unreachable right now; retry shortly';

/**
 * Whether an error means the database could not be reached (connection lost, no server selected,
 * client closed or reconnecting), as opposed to a fault in the request or in the gateway: the
 * first kind is worth retrying as is, so clients get DEPENDENCY_UNAVAILABLE rather than
 * INTERNAL_SERVER_ERROR.
 */
export function isDependencyOutage(error: unknown): boolean {
  return (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError ||
    error instanceof mongoose.Error.MongooseServerSelectionError ||
    // Mongoose queues operations while disconnected and fails them after `bufferTimeoutMS`.
    (error instanceof mongoose.Error && /buffering timed out/.test(error.message))
  );
}
