import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode, makeServer, type Context, type SubscribePayload } from 'graphql-ws';
import { Counter, Gauge, type Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { type Logger, withTimeout } from '../../schema';
import type { AuthenticatedKey } from '../auth/authenticated-key';
import type { AuthenticationOutcome } from '../auth/guarded-authentication';
import type { KeySessions } from '../auth/key-sessions';
import type { CheckOperationCost } from '../cost/operation-cost';
import { ErrorCode } from '../errors/error-code';
import { ForbiddenError, InternalServerError, RateLimitedError, UnauthenticatedError } from '../errors/gateway-errors';
import type { RateLimitDecision } from '../rate-limit/rate-limit-decision';
import type { LiveFeed } from './live-feed';
import { SharedEventExecution } from './shared-event-execution';
import { ValidatedDocuments, type DocumentCheck } from './validated-documents';
import { isDisconnectError, serveGraphqlWs, type WsExtra } from './ws-transport';

/** Websocket limits; the defaults are the gateway config's. */
export interface WebSocketLimits {
  /** Operations open at once on one connection. Default in config: 100. */
  maxSubscriptionsPerConnection: number;
  /** Largest incoming message, bytes; a bigger one closes the socket with 1009. Default in config: 64 KiB. */
  maxPayloadBytes: number;
  /** Ping interval, ms; a client that misses a pong for as long is terminated. */
  keepAliveMs: number;
}

/** What the context factory learns about one websocket operation. */
export interface WebSocketOperationInfo {
  auth: AuthenticatedKey;
  /** The HTTP upgrade request of the connection (headers such as `x-request-id`). */
  request: IncomingMessage;
  /** graphql-ws operation id (unique per connection). */
  operationId: string;
}

export interface WebSocketServerOptions<TContext extends object> {
  httpServer: Server;
  /** Path the websocket answers on, e.g. `/graphql` (the HTTP endpoint shares it). */
  path: string;
  schema: GraphQLSchema;
  /**
   * Resolves the raw key from `connectionParams.apiKey` of a new connection from `address`: refused
   * closes it with 4403; an address with too many refused keys gets 1013 (try again later).
   */
  authenticateConnection(rawKey: string | undefined, address: string): Promise<AuthenticationOutcome>;
  /** The same key again at every subscribe message, so it should answer from a cache. */
  authenticate(rawKey: string | undefined): Promise<AuthenticatedKey | null>;
  /** Where each connection registers under its key, so revoking the key closes it (4403). */
  keySessions: Pick<KeySessions, 'add'>;
  /** A FRESH context per operation (new DataLoaders); `live` is added to it. */
  createContext(info: WebSocketOperationInfo): TContext | Promise<TContext>;
  /**
   * The context one subscription event executes with, derived from the operation's (e.g. fresh
   * DataLoaders per event, so nothing cached outlives the event); the operation's own when omitted.
   */
  eventContext?(operationContext: TContext): TContext;
  checkCost: CheckOperationCost;
  /** One point per subscribe message, from the same budget as HTTP requests. */
  consumeRateLimit(auth: AuthenticatedKey): Promise<RateLimitDecision>;
  live: LiveFeed;
  limits: WebSocketLimits;
  /** The gateway instance's registry (not the global one). */
  registry: Registry;
  logger: Logger;
  /** Shapes every error sent to a client (the gateway's formatter, shared with HTTP). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
}

export interface RunningWebSocketServer {
  /** Closes every socket with 1001 (going away), ends their operations and stops accepting. */
  close(): Promise<void>;
  /** Connections that passed `connection_init`. */
  readonly connections: number;
}

/** Per-connection state kept beside graphql-ws's context. */
interface ConnectionState {
  auth: AuthenticatedKey;
  /** The key as the client sent it, to authenticate it again at each subscribe message. */
  rawKey: string;
  /** Ids of the operations admitted and not completed yet (the per-connection limit counts them). */
  admitted: Set<string>;
  /** Operation id → root field, of the operations counted in the active-subscriptions gauge. */
  activeSubscriptions: Map<string, string>;
  /** Ids of the queries and mutations admitted and not completed yet: a revocation lets them answer. */
  runningSingleResults: Set<string>;
  /**
   * Set once the key is found revoked: from then on nothing starts on the connection, and only the
   * queries and mutations already running finish (see closeRevoked).
   */
  revoked: boolean;
  /** Unregisters the connection from the key sessions. */
  leaveKeySessions: () => void;
}

/** How long a closing server waits for clients to finish the close handshake. */
const CLOSE_GRACE_MS = 1_000;

/**
 * The standard "Try Again Later" close code, which graphql-ws clients retry with backoff: for a
 * connection whose address had too many API keys refused (graphql-ws's own 4429 means something
 * else, and ends them), and when the key cannot be checked right now (the database is away and the
 * key is not cached; graphql-ws would close with 4500, which its clients take as final).
 */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** Close reason sent with 4403 when the key of an open connection is revoked. */
const REVOKED_CLOSE_REASON = 'API key revoked';

/**
 * Longest wait, once a connection's key is revoked, for its queries and mutations already running to
 * answer before the connection closes anyway.
 */
const REVOKED_ANSWER_GRACE_MS = 5_000;

type WsContext = Context<Record<string, unknown> | undefined, WsExtra>;

function rootFieldName(document: DocumentNode, operationName: string | null | undefined): string {
  const operation = getOperationAST(document, operationName);
  const first = operation?.selectionSet.selections[0];
  return first?.kind === 'Field' ? first.name.value : 'unknown';
}

/**
 * graphql-ws (protocol `graphql-transport-ws`) on the gateway's HTTP server, at `path`.
 *
 * The API key travels as `connectionParams.apiKey` and is checked in `onConnect` (a missing or
 * bad key closes with 4403). The connection then joins the key's sessions: when the key is revoked
 * it is closed with 4403 ("API key revoked") and its operations end. Every subscribe message is
 * checked like an HTTP request, since Apollo plugins never see websocket operations: the key again
 * (revoked: close 4403), operations per connection, rate limit (RATE_LIMITED), parse and
 * validation (BAD_USER_INPUT), cost (QUERY_TOO_COMPLEX).
 */
export function attachWebSocketServer<TContext extends object>(
  options: WebSocketServerOptions<TContext>,
): RunningWebSocketServer {
  const logger = options.logger.child({ component: 'ws' });
  const registers = [options.registry];
  const connectionsGauge = new Gauge({
    name: 'gateway_ws_connections',
    help: 'Websocket connections past connection_init.',
    registers,
  });
  const activeSubscriptions = new Gauge({
    name: 'gateway_ws_active_subscriptions',
    help: 'Subscriptions running on websocket connections.',
    labelNames: ['subscription'],
    registers,
  });
  const eventsDelivered = new Counter({
    name: 'gateway_ws_events_delivered_total',
    help: 'Subscription events sent to websocket clients.',
    labelNames: ['subscription'],
    registers,
  });
  const refusals = new Counter({
    name: 'gateway_ws_operations_refused_total',
    help: 'Websocket operations refused before running, by error code.',
    labelNames: ['code'],
    registers,
  });
  const states = new WeakMap<WsContext, ConnectionState>();
  const documents = new ValidatedDocuments(options.schema);
  /** Operations with the same share key receive the same result for the same live event. */
  const shareKeys = new WeakMap<ExecutionArgs, string>();
  const { eventContext } = options;
  const sharedExecution = new SharedEventExecution(
    eventContext ? { contextForEvent: (operationContext) => eventContext(operationContext as TContext) } : {},
  );
  let connections = 0;

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.limits.maxPayloadBytes });

  const refuse = (error: GraphQLError): readonly GraphQLError[] => {
    refusals.inc({ code: String(error.extensions.code ?? ErrorCode.BAD_USER_INPUT) });
    return [error];
  };
  const formatErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => options.formatError(error.toJSON(), error));
  const refuseRevoked = (): readonly GraphQLError[] => refuse(new UnauthenticatedError('the API key was revoked'));

  /** Closes with 4403 a connection whose key was revoked (its subscriptions already ended). */
  const closeSocketRevoked = (ctx: WsContext, state: ConnectionState): void => {
    const { socket } = ctx.extra;
    if (socket.readyState !== socket.OPEN) return;
    // 4403, as for a bad key at connect: it tells the client its key is no good (graphql-ws's own
    // client retries it all the same; the dashboard asks for another key).
    socket.close(CloseCode.Forbidden, REVOKED_CLOSE_REASON);
    setTimeout(() => {
      if (socket.readyState !== socket.CLOSED) socket.terminate();
    }, CLOSE_GRACE_MS).unref();
    logger.info(
      { keyId: state.auth.id, remote: ctx.extra.request.socket.remoteAddress },
      'ws: closed, API key revoked',
    );
  };

  /**
   * Ends what runs on a connection whose key no longer authenticates, and closes it: subscriptions
   * at once; queries and mutations already running answer first (as an HTTP request in flight
   * would), so an admin who revokes their own key over the websocket hears that it worked.
   */
  const closeRevoked = (ctx: WsContext, state: ConnectionState): void => {
    if (state.revoked) return;
    state.revoked = true;
    state.leaveKeySessions();
    // One graphql-ws dropped without completing (a failed send) is no longer running.
    for (const id of state.runningSingleResults) if (!(id in ctx.subscriptions)) state.runningSingleResults.delete(id);
    // graphql-ws ends a connection's operations only when the close handshake completes (a round
    // trip, or never for a client that stopped reading); end them now, as it then would, so not
    // one more event of a revoked key is executed. Their `complete` is not sent, as at close.
    for (const id of Object.keys(ctx.subscriptions)) {
      if (state.runningSingleResults.has(id)) continue;
      const operation = ctx.subscriptions[id];
      delete ctx.subscriptions[id];
      const end = (operation as Partial<AsyncGenerator> | null)?.return;
      if (typeof end === 'function')
        end.call(operation, undefined).catch((error: unknown) => {
          logger.warn({ err: error }, 'ws: ending an operation of a revoked key failed');
        });
    }
    if (state.runningSingleResults.size === 0) {
      closeSocketRevoked(ctx, state);
      return;
    }
    // onComplete closes it once the last of them answered; this bounds a query that never does.
    setTimeout(() => closeSocketRevoked(ctx, state), REVOKED_ANSWER_GRACE_MS).unref();
  };

  /**
   * Whether the connection's key still authenticates. Answered from the key cache, so a key revoked
   * on another replica stops new operations here when it stops HTTP requests. When the store cannot
   * answer, the key checked at connect stands: the sweep of key sessions catches up later.
   */
  const keyStillWorks = async (state: ConnectionState): Promise<boolean> => {
    try {
      return (await options.authenticate(state.rawKey)) !== null;
    } catch (error) {
      logger.warn(
        { err: error, keyId: state.auth.id },
        'ws: could not check the API key again; keeping the connection',
      );
      return true;
    }
  };

  const checkAndPrepare = async (
    ctx: WsContext,
    id: string,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    const state = states.get(ctx);
    if (!state) return refuse(new UnauthenticatedError());
    if (state.revoked) return refuseRevoked();
    if (!(await keyStillWorks(state))) {
      closeRevoked(ctx, state);
      return refuseRevoked();
    }
    const decision = await options.consumeRateLimit(state.auth);
    if (!decision.allowed) return refuse(new RateLimitedError(decision.retryAfterMs));

    let checked: DocumentCheck;
    try {
      checked = documents.check(payload.query);
    } catch (error) {
      if (error instanceof GraphQLError) return refuse(error);
      throw error;
    }
    if ('errors' in checked) {
      refusals.inc({ code: ErrorCode.BAD_USER_INPUT });
      return checked.errors;
    }
    const { document } = checked;
    const costErrors = options.checkCost(options.schema, document, payload.variables, payload.operationName);
    if (costErrors.length > 0) {
      refusals.inc({ code: ErrorCode.QUERY_TOO_COMPLEX });
      return costErrors;
    }
    const baseContext = await options.createContext({ auth: state.auth, request: ctx.extra.request, operationId: id });
    // Revoked while this operation was being checked: it must not start.
    if (state.revoked) return refuseRevoked();
    const args: ExecutionArgs = {
      schema: options.schema,
      document,
      variableValues: payload.variables,
      operationName: payload.operationName,
      contextValue: { ...baseContext, live: options.live },
    };
    shareKeys.set(args, JSON.stringify([payload.operationName ?? null, payload.query, payload.variables ?? null]));
    return args;
  };

  const graphqlWs = makeServer<Record<string, unknown> | undefined, WsExtra>({
    schema: options.schema,
    subscribe: (args) => sharedExecution.subscribe(args, shareKeys.get(args)),
    onConnect: async (ctx) => {
      const param = ctx.connectionParams?.apiKey;
      const rawKey = typeof param === 'string' ? param : undefined;
      let outcome: AuthenticationOutcome;
      try {
        outcome = await options.authenticateConnection(rawKey, ctx.extra.request.socket.remoteAddress ?? 'unknown');
      } catch (error) {
        logger.warn({ err: error }, 'ws: the API key could not be checked; the client may retry');
        ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, 'the API key cannot be checked right now; retry shortly');
        return false;
      }
      if (outcome.kind === 'too-many-refusals') {
        // Not 4403: that tells a client its key is bad.
        ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, 'too many unknown API keys from this address');
        return false;
      }
      const auth = outcome.kind === 'accepted' ? outcome.key : null;
      if (!auth || rawKey === undefined) {
        logger.info(
          { remote: ctx.extra.request.socket.remoteAddress },
          'ws: connection refused (missing or invalid API key)',
        );
        return false;
      }
      // Closed while the key was looked up: graphql-ws will not call onDisconnect for it, so
      // registering it would leak its session and count.
      if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
      const state: ConnectionState = {
        auth,
        rawKey,
        admitted: new Set(),
        activeSubscriptions: new Map(),
        runningSingleResults: new Set(),
        revoked: false,
        leaveKeySessions: () => undefined,
      };
      state.leaveKeySessions = options.keySessions.add({
        keyId: auth.id,
        endRevoked: () => closeRevoked(ctx, state),
      });
      states.set(ctx, state);
      connections += 1;
      connectionsGauge.inc();
      return true;
    },
    onDisconnect: (ctx) => {
      states.get(ctx)?.leaveKeySessions();
      connections -= 1;
      connectionsGauge.dec();
    },
    onSubscribe: async (ctx, id, payload) => {
      const state = states.get(ctx);
      // The slot is taken before anything is awaited: a burst of subscribe messages is registered
      // by graphql-ws all at once, so counting its registrations after an await would refuse most
      // of the burst, not just what exceeds the limit.
      if (state) {
        const limit = options.limits.maxSubscriptionsPerConnection;
        // graphql-ws forgets an operation the moment the client completes it, a while before its
        // onComplete: a slot is free from then on.
        for (const admittedId of state.admitted)
          if (!(admittedId in ctx.subscriptions)) state.admitted.delete(admittedId);
        if (state.admitted.size >= limit) {
          return refuse(
            new ForbiddenError(`at most ${limit} operations may run at once on one connection; complete one first`, {
              limit,
            }),
          );
        }
        state.admitted.add(id);
      }
      let prepared: ExecutionArgs | readonly GraphQLError[];
      try {
        prepared = await checkAndPrepare(ctx, id, payload);
      } catch (error) {
        // Thrown here, graphql-ws would close the whole connection with 4500.
        logger.error({ err: error }, 'ws: preparing an operation failed');
        prepared = refuse(new InternalServerError());
      }
      if ('document' in prepared) {
        // Without an operation (several in the document, none named) graphql-ws answers an error
        // and never completes it: such an id would stay here.
        const operation = getOperationAST(prepared.document, prepared.operationName)?.operation;
        if (operation === 'query' || operation === 'mutation') state?.runningSingleResults.add(id);
      } else {
        // A refused operation never runs, so graphql-ws never completes it: its slot is freed here.
        state?.admitted.delete(id);
      }
      return prepared;
    },
    onOperation: (ctx, id, _payload, args, result) => {
      const state = states.get(ctx);
      if (!state || !(Symbol.asyncIterator in result)) return;
      const name = rootFieldName(args.document, args.operationName);
      state.activeSubscriptions.set(id, name);
      activeSubscriptions.inc({ subscription: name });
      return;
    },
    onNext: (ctx, id, _payload, _args, result): FormattedExecutionResult | void => {
      const subscription = states.get(ctx)?.activeSubscriptions.get(id);
      if (subscription !== undefined && result.data) eventsDelivered.inc({ subscription });
      if (!result.errors) return;
      const { errors, ...rest } = result as ExecutionResult;
      return { ...rest, errors: formatErrors(errors ?? []) };
    },
    onError: (ctx, _id, _payload, errors) => {
      if (errors.some((error) => isDisconnectError(error.originalError, ctx.extra.socket))) {
        // A write raced the client's disconnect (EPIPE, ECONNRESET): nothing went wrong, and the
        // error frame is not sent on a closed socket.
        logger.debug({ err: errors[0]?.message }, 'ws: client disconnected during an operation');
        return [{ message: 'connection closed' }];
      }
      return formatErrors(errors);
    },
    onComplete: (ctx, id) => {
      const state = states.get(ctx);
      state?.admitted.delete(id);
      if (state?.runningSingleResults.delete(id) && state.revoked && state.runningSingleResults.size === 0) {
        // A macrotask later: graphql-ws sends this operation's `complete` right after this hook.
        setImmediate(() => closeSocketRevoked(ctx, state));
      }
      const name = state?.activeSubscriptions.get(id);
      if (!state || name === undefined) return;
      state.activeSubscriptions.delete(id);
      activeSubscriptions.dec({ subscription: name });
    },
  });
  const server = serveGraphqlWs(wss, graphqlWs, { keepAliveMs: options.limits.keepAliveMs, logger });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== options.path) {
      // Another upgrade handler may own this path; without one, refuse plainly.
      if (options.httpServer.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  options.httpServer.on('upgrade', onUpgrade);

  let closing: Promise<void> | undefined;
  return {
    get connections() {
      return connections;
    },
    close() {
      closing ??= (async () => {
        options.httpServer.off('upgrade', onUpgrade);
        const sockets = [...wss.clients];
        // Sends 1001 (going away) to every client and ends their operations.
        await server.dispose();
        // A client that does not answer the close handshake (e.g. one that stopped reading) is cut.
        const open = sockets.filter((socket) => socket.readyState !== socket.CLOSED);
        const allClosed = Promise.all(open.map((socket) => new Promise((resolve) => socket.once('close', resolve))));
        await withTimeout(allClosed, CLOSE_GRACE_MS).catch(() => undefined);
        for (const socket of open) if (socket.readyState !== socket.CLOSED) socket.terminate();
      })();
      return closing;
    },
  };
}
