import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, so a test can cut a service off and bring it
 * back (as an outage looks to a client) without stopping the shared server other suites use.
 */
export interface TcpProxy {
  /** Local port clients connect to instead of the target's. */
  port: number;
  /** Rewrites `url`'s host:port to point at this proxy. */
  urlFor(url: string): string;
  /** Drops every open connection and refuses new ones until {@link restore}. */
  cut(): void;
  /**
   * Keeps every connection open but stops carrying bytes either way until {@link restore}: a server
   * that accepts requests and never answers them.
   */
  stall(): void;
  /**
   * Keeps carrying what clients send but holds what the server answers, until {@link restore}: a
   * server that takes requests in and whose answers are lost on the way back.
   */
  holdAnswers(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port);
  const targetHost = target.hostname;
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[client: net.Socket, upstream: net.Socket]>();
  let isCut = false;
  let isStalled = false;
  let answersHeld = false;
  const carry = ([client, upstream]: [net.Socket, net.Socket]): void => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const holdAnswer = ([client, upstream]: [net.Socket, net.Socket]): void => {
    upstream.unpipe(client);
    upstream.pause();
  };
  const hold = ([client, upstream]: [net.Socket, net.Socket]): void => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };

  const server = net.createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    sockets.add(client);
    sockets.add(upstream);
    pairs.add(pair);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (isStalled) hold(pair);
    else {
      carry(pair);
      if (answersHeld) holdAnswer(pair);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    urlFor(url) {
      const rewritten = new URL(url);
      rewritten.hostname = '127.0.0.1';
      rewritten.port = String(port);
      return rewritten.toString();
    },
    cut() {
      isCut = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      pairs.clear();
    },
    stall() {
      isStalled = true;
      for (const pair of pairs) hold(pair);
    },
    holdAnswers() {
      answersHeld = true;
      for (const pair of pairs) holdAnswer(pair);
    },
    restore() {
      isCut = false;
      if (isStalled || answersHeld) {
        isStalled = false;
        answersHeld = false;
        for (const pair of pairs) {
          // pipe() would add a second copy to a flow still carried.
          pair[0].unpipe(pair[1]);
          carry(pair);
        }
      }
    },
    async close() {
      isCut = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
