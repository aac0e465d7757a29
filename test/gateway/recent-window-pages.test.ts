import { SignalOrder } from '../../gateway/signals/signal-order.enum';
import type { RunningGateway } from '../../gateway/gateway.service';
import type { GatewayModels } from '../../gateway/db/gateway-models';
import { Disposables } from '../support/disposables';
import { createSuiteInfra } from '../support/suite-infra';
import { storeSignals } from './support/fleet-seed';
import { connectModels, dataOf, executeText, startTestGateway } from './support/gateway-harness';

const HOUR = 3_600_000;

interface Page {
  signals: {
    edges: Array<{ node: { id: string } }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

/**
 * Newest-first pages read the most recent days first and the whole range only when those days do
 * not fill the page: whichever way a page is read, it must be the same.
 */
describe('signal pages across the recent window', () => {
  const disposables = new Disposables();
  let models: GatewayModels;
  let gateway: RunningGateway;
  /** Every seeded id, newest first (time, then id). */
  let newestFirst: string[];

  beforeAll(async () => {
    const infra = disposables.add(await createSuiteInfra('gateway-recent-window'), (i) => i.dispose());
    models = await connectModels(infra, disposables);
    gateway = await startTestGateway(infra, disposables);
    const now = Date.now();
    // Four signals in the last hours, then older ones days apart, one pair at the same instant.
    const times = [now - HOUR, now - 2 * HOUR, now - 3 * HOUR, now - 30 * HOUR, now - 3 * 24 * HOUR];
    times.push(now - 3 * 24 * HOUR, now - 9 * 24 * HOUR, now - 40 * 24 * HOUR);
    const stored = await storeSignals(
      models,
      times.map((timeMs, i) => ({ deviceId: `window-${i % 3}`, timeMs, samples: [[45 + i * 0.01, 7, 1]] })),
    );
    newestFirst = stored
      .map((s) => ({ id: s._id.toHexString(), time: s.time.getTime() }))
      .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1))
      .map((s) => s.id);
  });
  afterAll(() => disposables.disposeAll());

  const page = async (args: string): Promise<Page['signals']> =>
    dataOf(
      await executeText<Page>(
        gateway.url,
        `{ signals(${args}) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      ),
    ).signals;

  it.each([1, 2, 3, 5])('pages newest first, %i at a time, in exactly the stored order', async (size) => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const current = await page(`first: ${size}${after ? `, after: "${after}"` : ''}`);
      seen.push(...current.edges.map((e) => e.node.id));
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    expect(seen).toEqual(newestFirst);
  });

  it('pages backwards through the ascending order in the same order', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    for (;;) {
      const current = await page(`last: 2, orderBy: ${SignalOrder.TIME_ASC}${before ? `, before: "${before}"` : ''}`);
      seen.unshift(...current.edges.map((e) => e.node.id));
      if (!current.pageInfo.hasPreviousPage) break;
      before = current.pageInfo.startCursor;
    }
    expect(seen).toEqual([...newestFirst].reverse());
  });
});
