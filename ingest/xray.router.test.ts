import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { silentLogger } from '../schema';
import { IngestMetrics } from './ingest.metrics';
import type { XRayIntakeRequest, XRayIntakeResponse } from './xray-intake.handler';
import { createXRayRouter } from './xray.router';

describe('x-ray router', () => {
  let server: http.Server;
  let url: string;
  const handled: XRayIntakeRequest[] = [];
  /** Answers of isClosing, in turn; false once they are used up. */
  let closingAnswers: boolean[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(
      createXRayRouter({
        handle: async (request): Promise<XRayIntakeResponse> => {
          handled.push(request);
          return { status: 202, headers: {}, body: { messageId: 'm', deviceId: 'd' } };
        },
        bodyLimitBytes: 1024,
        metrics: new IngestMetrics(),
        logger: silentLogger(),
        isClosing: () => closingAnswers.shift() ?? false,
        track: () => undefined,
      }),
    );
    server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/xray`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"d":{}}' });

  it('hands a request to the intake while the instance runs', async () => {
    closingAnswers = [false, false];
    expect((await post()).status).toBe(202);
    expect(handled).toHaveLength(1);
  });

  it('refuses a request whose body arrived after shutdown began, before the intake spends anything on it', async () => {
    handled.length = 0;
    // Running when its headers came, stopping once its body was in.
    closingAnswers = [false, true];
    const answer = await post();
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('SHUTTING_DOWN');
    expect(handled).toEqual([]);
  });
});
