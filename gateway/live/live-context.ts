import { BadUserInputError } from '../errors/gateway-errors';
import type { LiveFeed } from './live-feed';

/** What the live resolvers need from the operation context (the websocket server adds it). */
export interface LiveContext {
  live: LiveFeed;
}

/** Refusal of a subscription that did not come over the websocket transport. */
export function notOverWebSocket(): BadUserInputError {
  return new BadUserInputError(
    'subscriptions are served over websocket (protocol graphql-transport-ws) at this endpoint, not over HTTP',
  );
}

/** The live feed of an operation's context; BAD_USER_INPUT when the operation came over HTTP. */
export function liveFeedOf(context: unknown): LiveFeed {
  const live = (context as Partial<LiveContext> | null | undefined)?.live;
  if (!live) throw notOverWebSocket();
  return live;
}
