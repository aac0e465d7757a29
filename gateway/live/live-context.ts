import type { LiveFeed } from './live-feed';

/** What the live resolvers need from the operation context (the websocket server adds it). */
export interface LiveContext {
  live: LiveFeed;
}

/** The live feed of an operation's context; a clear error when the transport provides none. */
export function liveFeedOf(context: unknown): LiveFeed {
  const live = (context as Partial<LiveContext> | null | undefined)?.live;
  if (!live) throw new Error('subscriptions run over the websocket transport only (context.live is missing)');
  return live;
}
