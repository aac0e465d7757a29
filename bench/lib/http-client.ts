import http from 'node:http';

/** A keep-alive HTTP client for generators: one agent, bodies as buffers, answers as text. */
export class KeepAliveClient {
  private readonly agent: http.Agent;

  constructor(maxSockets: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  async request(
    url: string,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<{ status: number; text: string }> {
    try {
      return await this.requestOnce(url, method, headers, body);
    } catch (error) {
      // A kept-alive socket the server closed for idleness just as it was reused: the request never
      // reached the server (Node's documented race), so sending it again is safe.
      if ((error as { reusedSocket?: boolean }).reusedSocket !== true) throw error;
      return this.requestOnce(url, method, headers, body);
    }
  }

  private requestOnce(
    url: string,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: body ? { ...headers, 'content-length': String(body.byteLength) } : headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      request.setTimeout(60_000, () => request.destroy(new Error(`${method} ${url} timed out`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        const reset = error.code === 'ECONNRESET' || error.message === 'socket hang up';
        reject(request.reusedSocket && reset ? Object.assign(error, { reusedSocket: true }) : error);
      });
      request.end(body);
    });
  }

  /** Posts a GraphQL operation; throws on HTTP errors or GraphQL errors. */
  async graphql<T>(url: string, apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.request(
      `${url}/graphql`,
      'POST',
      { 'content-type': 'application/json', 'x-api-key': apiKey },
      Buffer.from(JSON.stringify({ query, variables })),
    );
    let parsed: { data?: T; errors?: unknown[] };
    try {
      parsed = JSON.parse(answer.text) as { data?: T; errors?: unknown[] };
    } catch {
      throw new Error(`graphql HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
    }
    if (answer.status !== 200 || parsed.errors || !parsed.data) {
      throw new Error(`graphql HTTP ${answer.status}: ${JSON.stringify(parsed.errors ?? parsed).slice(0, 300)}`);
    }
    return parsed.data;
  }

  close(): void {
    this.agent.destroy();
  }
}
