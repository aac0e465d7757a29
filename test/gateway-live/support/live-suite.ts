import type { Redis } from 'ioredis';
import { Disposables } from '../../support/disposables';
import type { SuiteInfra } from '../../support/suite-infra';
import { waitFor } from '../../support/wait-for';
import type { GatewayUnderTest, SuiteDatabase } from './gateway-under-test';
import { LIVE_ADMIN_KEY, metricValue } from './gateway-under-test';
import { connectLive } from './live-client';
import { startLiveStack, type LiveStack } from './live-stack';

/** What a live suite shares: started in `beforeAll`, closed in `afterAll`. */
export interface LiveSuite {
  readonly infra: SuiteInfra;
  readonly db: SuiteDatabase;
  readonly gateway: GatewayUnderTest;
  /** Publishes processed-signal events, as the processor does. */
  readonly publisher: Redis;
  /**
   * A live client of the gateway signed in with the admin key, closed after the running test, pass or
   * fail, so no test sees another's subscriptions.
   */
  connect(): ReturnType<typeof connectLive>;
}

/**
 * Registers the hooks of a live suite (call it at the top of a `describe`): its own infrastructure,
 * database, a real gateway and a Redis publisher for the whole suite, and per test a dispose list
 * after which `idleMetric` of the gateway must be back at 0, so each test starts with nothing live.
 */
export function useLiveSuite(suiteName: string, idleMetric: string): LiveSuite {
  const disposables = new Disposables();
  let started: LiveStack | undefined;
  let perTest = new Disposables();

  beforeAll(async () => {
    started = await startLiveStack(disposables, suiteName);
  });
  afterAll(() => disposables.disposeAll());
  beforeEach(() => {
    perTest = new Disposables();
  });
  afterEach(async () => {
    await perTest.disposeAll();
    await waitFor(`${idleMetric} back at 0`, async () => (await metricValue(suite.gateway.registry, idleMetric)) === 0);
  });

  // The hooks run after the describe body: its tests read the suite through these getters, when they run.
  const get = () => {
    if (!started) throw new Error(`live suite ${suiteName} is not started: use it inside tests and hooks`);
    return started;
  };
  const suite: LiveSuite = {
    get infra() {
      return get().infra;
    },
    get db() {
      return get().db;
    },
    get gateway() {
      return get().gateway;
    },
    get publisher() {
      return get().publisher;
    },
    connect: () => perTest.add(connectLive(suite.gateway.wsUrl, LIVE_ADMIN_KEY), (client) => client.dispose()),
  };
  return suite;
}
