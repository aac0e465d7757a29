import type { mongo } from 'mongoose';
import { MIGRATIONS_COLLECTION, type MigrationRecord } from '../../schema';

/** How often a migration not yet done is looked up again. */
const DEFAULT_RECHECK_MS = 30_000;

/**
 * Whether the `day` backfill of a collection has run (schema/day-field.migration.ts), so reads may
 * narrow by `day`. A migration once done stays done, so `true` is remembered for good; `false` is
 * looked up again at most every `recheckMs`, so a gateway started before the processor's migration
 * takes up the faster reads soon after it.
 */
export class DayFieldReadiness {
  private readonly done = new Set<string>();
  private readonly checkedAt = new Map<string, number>();
  private readonly lookups = new Map<string, Promise<boolean>>();

  constructor(
    private readonly db: mongo.Db,
    private readonly recheckMs = DEFAULT_RECHECK_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async ready(migrationId: string): Promise<boolean> {
    if (this.done.has(migrationId)) return true;
    const inFlight = this.lookups.get(migrationId);
    if (inFlight) return inFlight;
    const lastCheck = this.checkedAt.get(migrationId);
    if (lastCheck !== undefined && this.now() - lastCheck < this.recheckMs) return false;
    const lookup = this.db
      .collection<MigrationRecord>(MIGRATIONS_COLLECTION)
      .findOne({ _id: migrationId }, { projection: { _id: 1 } })
      .then((record) => {
        this.checkedAt.set(migrationId, this.now());
        if (record) this.done.add(migrationId);
        return record !== null;
      })
      .finally(() => this.lookups.delete(migrationId));
    this.lookups.set(migrationId, lookup);
    return lookup;
  }
}
