import { metricValue } from './support/gateway-under-test';
import { collect } from './support/live-client';
import { useLiveSuite } from './support/live-suite';
import { makeSignal, publishEvent, store, storeAndPublish, type SignalFixture } from './support/signal-fixtures';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

interface Received {
  signalProcessed: { id: string; deviceId: string };
}

const SINCE_QUERY =
  'subscription($since: ID, $ids: [ID!]) { signalProcessed(since: $since, deviceIds: $ids) { id deviceId } }';

describe('signalProcessed resume with since', () => {
  const suite = useLiveSuite('gateway-live-resume', 'gateway_live_open_streams');
  const openStreams = (): Promise<number> => metricValue(suite.gateway.registry, 'gateway_live_open_streams');

  const ids = (fixtures: readonly SignalFixture[]): string[] => fixtures.map((f) => f.event.signalId);
  const activeSubscriptions = (): Promise<number> =>
    metricValue(suite.gateway.registry, 'gateway_ws_active_subscriptions');

  it('delivers each signal exactly once across a disconnect, a replay and the live seam', async () => {
    const device = 'resume-1';
    // Connected: three live signals.
    const firstClient = suite.connect();
    const first = collect<Received>(firstClient, SINCE_QUERY);
    await waitFor('the first subscription', async () => (await activeSubscriptions()) === 1);
    const before = [makeSignal(device), makeSignal(device), makeSignal(device)];
    await storeAndPublish(suite.db.models.signals, suite.publisher, suite.infra.namespace, before);
    const seen = (await first.take(3)).map((r) => r.signalProcessed.id);
    expect(seen).toEqual(ids(before));
    await firstClient.dispose();
    await waitFor('the first subscription to end', async () => (await activeSubscriptions()) === 0);

    // Away: 250 signals (three replay pages) are stored and published to nobody.
    const away = Array.from({ length: 250 }, (_, i) => makeSignal(i % 2 === 0 ? device : 'resume-2'));
    await storeAndPublish(suite.db.models.signals, suite.publisher, suite.infra.namespace, away);
    // Stored but published only after the client is back: it may come by replay or live, once.
    const seam = makeSignal(device);
    await store(suite.db.models.signals, [seam]);

    const secondClient = suite.connect();
    const second = collect<Received>(secondClient, SINCE_QUERY, { since: seen[seen.length - 1] });
    await waitFor('the resumed subscription', async () => (await activeSubscriptions()) === 1);
    await publishEvent(suite.publisher, suite.infra.namespace, seam.event);
    const after = [makeSignal(device), makeSignal('resume-2')];
    await storeAndPublish(suite.db.models.signals, suite.publisher, suite.infra.namespace, after);
    // A duplicate publish (at-least-once delivery) of a signal already sent.
    await publishEvent(suite.publisher, suite.infra.namespace, away[0]?.event as SignalFixture['event']);
    const marker = makeSignal(device);
    await storeAndPublish(suite.db.models.signals, suite.publisher, suite.infra.namespace, [marker]);

    const expected = [...ids(away), seam.event.signalId, ...ids(after), marker.event.signalId];
    const received = (await second.take(expected.length)).map((r) => r.signalProcessed.id);
    expect(new Set(received).size).toBe(received.length);
    expect([...received].sort()).toEqual([...expected].sort());
    // The replayed part comes in ingest order.
    expect(received.slice(0, away.length)).toEqual(ids(away));
    expect(received[received.length - 1]).toBe(marker.event.signalId);
    expect(await metricValue(suite.gateway.registry, 'gateway_live_replay_pages_total')).toBeGreaterThanOrEqual(3);
    second.stop();
  });

  it('replays only the named devices, merged in ingest order', async () => {
    const since = makeSignal('merge-a');
    const stored = Array.from({ length: 30 }, (_, i) => makeSignal(['merge-a', 'merge-b', 'merge-c'][i % 3] as string));
    await store(suite.db.models.signals, [since]);
    await store(suite.db.models.signals, stored);
    const client = suite.connect();
    const sub = collect<Received>(client, SINCE_QUERY, { since: since.event.signalId, ids: ['merge-a', 'merge-c'] });
    const wanted = stored.filter((f) => f.event.deviceId !== 'merge-b');
    const received = await sub.take(wanted.length);
    expect(received.map((r) => r.signalProcessed.id)).toEqual(ids(wanted));
    sub.stop();
  });

  it('refuses a since that is not a signal id with BAD_USER_INPUT', async () => {
    const client = suite.connect();
    const errors = await collect(client, SINCE_QUERY, { since: 'not-an-id' }).failure();
    expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('frees a subscription that disconnects in the middle of a replay', async () => {
    const device = 'midway';
    const since = makeSignal(device);
    await store(suite.db.models.signals, [since]);
    // Twenty replay pages of 100: far more than can be read between the disconnect and its close
    // reaching the gateway, however loaded the machine (a page is a database round trip).
    const replayed = 2_000;
    const fullPages = replayed / 100;
    await store(
      suite.db.models.signals,
      Array.from({ length: replayed }, () => makeSignal(device)),
    );
    const pagesBefore = await metricValue(suite.gateway.registry, 'gateway_live_replay_pages_total');
    const client = suite.connect();
    const sub = collect<Received>(client, SINCE_QUERY, { since: since.event.signalId, ids: [device] });
    await sub.take(5);
    await client.dispose();
    await waitFor('the stream to close', async () => (await openStreams()) === 0);
    // The replay stopped with the client: it did not read its way to the end.
    const pagesRead = (await metricValue(suite.gateway.registry, 'gateway_live_replay_pages_total')) - pagesBefore;
    expect(pagesRead).toBeGreaterThanOrEqual(1);
    expect(pagesRead).toBeLessThan(fullPages);
    // The database still answers (no connection held by an abandoned cursor).
    expect(await suite.db.models.signals.countDocuments({ deviceId: device })).toBe(replayed + 1);
  });
});
