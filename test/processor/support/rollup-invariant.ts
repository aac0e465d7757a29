import type { mongo } from 'mongoose';
import { recomputeRollups } from '../../../processor/rollup-recompute';
import { contributionOf, type SignalDocument } from '../../../processor/signal-document';

/** A number-tolerant comparison: sums accumulated in another order differ in the last bits. */
function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => close((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return a === b;
}

/**
 * The rollup invariant: stored devices and hour buckets equal a recomputation from stored signals,
 * and no signal is left `pending`. Returns a list of differences (empty when it holds).
 */
export async function rollupDifferences(db: mongo.Db): Promise<string[]> {
  const signals = (await db
    .collection('signals')
    .find({}, { sort: { _id: 1 } })
    .toArray()) as unknown as SignalDocument[];
  const expected = recomputeRollups(signals.map((s) => contributionOf(s)));
  const differences: string[] = [];
  const pending = signals.filter((s) => s.rollupState !== 'applied').length;
  if (pending > 0) differences.push(`${pending} signals not applied`);

  const devices = await db.collection('devices').find({}).toArray();
  if (devices.length !== expected.devices.size)
    differences.push(`devices: ${devices.length} stored, ${expected.devices.size} expected`);
  for (const device of devices) {
    const want = expected.devices.get(device._id as unknown as string);
    if (!close(device, want))
      differences.push(`device ${String(device._id)}: ${JSON.stringify(device)} != ${JSON.stringify(want)}`);
  }
  const buckets = await db.collection('hour_buckets').find({}).toArray();
  if (buckets.length !== expected.buckets.size)
    differences.push(`buckets: ${buckets.length} stored, ${expected.buckets.size} expected`);
  for (const bucket of buckets) {
    const want = expected.buckets.get(bucket._id as unknown as string);
    if (!close(bucket, want))
      differences.push(`bucket ${String(bucket._id)}: ${JSON.stringify(bucket)} != ${JSON.stringify(want)}`);
  }
  return differences;
}
