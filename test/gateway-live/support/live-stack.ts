import { Redis } from 'ioredis';
import type { Disposables } from '../../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../../support/suite-infra';
import {
  connectSuiteDatabase,
  startGatewayUnderTest,
  type GatewayUnderTest,
  type SuiteDatabase,
} from './gateway-under-test';

/** What a live suite runs against: its own infrastructure, its database, real gateways, a publisher. */
export interface LiveStack {
  infra: SuiteInfra;
  db: SuiteDatabase;
  /** The first of `gateways`. */
  gateway: GatewayUnderTest;
  gateways: GatewayUnderTest[];
  /** Publishes processed-signal events on the suite's Redis, as the processor does. */
  publisher: Redis;
}

export interface LiveStackOptions {
  /** Environment of every gateway; a function runs once the infrastructure is up (e.g. to put a proxy in front of it). */
  gatewayEnv?: Record<string, string> | ((infra: SuiteInfra) => Promise<Record<string, string>>);
  /** How many gateways share the suite's Redis and database (1). */
  gateways?: number;
}

/** Starts a live suite's stack (in `beforeAll`); everything is added to `disposables`, last started first closed. */
export async function startLiveStack(
  disposables: Disposables,
  suiteName: string,
  options: LiveStackOptions = {},
): Promise<LiveStack> {
  const infra = disposables.add(await createSuiteInfra(suiteName), (i) => i.dispose());
  const db = disposables.add(await connectSuiteDatabase(infra), (d) => d.close());
  const env = typeof options.gatewayEnv === 'function' ? await options.gatewayEnv(infra) : (options.gatewayEnv ?? {});
  const gateways: GatewayUnderTest[] = [];
  for (let index = 0; index < (options.gateways ?? 1); index += 1)
    gateways.push(disposables.add(await startGatewayUnderTest(infra, env), (g) => g.close()));
  const publisher = disposables.add(new Redis(infra.redisUrl), (r) => r.disconnect());
  return { infra, db, gateway: gateways[0]!, gateways, publisher };
}
