import { seededRandom } from '../ingest/simulator/seeded-random';
import { loadSampleXRay } from '../test/support/sample-xray';
import { EARLIEST_MESSAGE_TIME_MS, MAX_SAMPLES_PER_MESSAGE, MAX_SPEED } from './xray-message';
import { xrayPayloadSchema } from './xray-message.validator';
import { isWellFormedPayload } from './xray-payload.fast-check';

/** Values at and around every bound the schema has, and values of the wrong kind. */
const EDGE_VALUES: unknown[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  -0.000001,
  59_999,
  60_000,
  60_001,
  3_000_000_000,
  9e15,
  10_000,
  10_000.001,
  1.7e308,
  90,
  -90,
  90.000001,
  -90.000001,
  180,
  -180,
  180.000001,
  -180.000001,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  1e300,
  Infinity,
  -Infinity,
  NaN,
  '1',
  '',
  null,
  true,
  [],
  {},
  [1],
  [1, 2],
  [1, 2, 3],
  [1, 2, 3, 4],
  EARLIEST_MESSAGE_TIME_MS,
  EARLIEST_MESSAGE_TIME_MS - 1,
];

type Json = unknown;

/** One random change somewhere in the payload: a field replaced, removed or added. */
function mutate(payload: { data: Json[]; time: Json }, random: () => number): Json {
  const copy = structuredClone(payload) as Record<string, Json> & { data: Json[] };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const edge = () => pick(EDGE_VALUES);
  const sampleIndex = Math.floor(random() * copy.data.length);
  const sample = copy.data[sampleIndex] as Json[];
  switch (Math.floor(random() * 10)) {
    case 0:
      copy.time = edge();
      break;
    case 1:
      sample[0] = edge();
      break;
    case 2:
      (sample[1] as Json[])[Math.floor(random() * 3)] = edge();
      break;
    case 3:
      copy.data[sampleIndex] = edge();
      break;
    case 4:
      sample[1] = edge();
      break;
    case 5:
      (random() < 0.5 ? sample : (sample[1] as Json[])).push(edge());
      break;
    case 6:
      delete copy[pick(['data', 'time'])];
      break;
    case 7:
      // An own property, as JSON.parse makes even of "__proto__" (assignment would set the prototype).
      Object.defineProperty(copy, pick(['extra', '__proto__', 'Data']), { value: edge(), enumerable: true });
      break;
    case 8:
      // An offset moved to the minute's last millisecond or past it, as from a device counting
      // elapsed milliseconds instead of milliseconds within the minute.
      sample[0] = pick([59_999, 60_000, (sample[0] as number) + pick([60_000, 3_000_000_000])]);
      break;
    default:
      copy.data = pick([[], copy.data.slice(0, 1), edge()]) as Json[];
  }
  return copy;
}

describe('isWellFormedPayload', () => {
  const { message, deviceId } = loadSampleXRay();
  const sample = message[deviceId] as { data: Json[]; time: number };

  it('accepts the real sample, and zod accepts it as the same payload', () => {
    expect(isWellFormedPayload(sample)).toBe(true);
    const parsed = xrayPayloadSchema.safeParse(sample);
    expect(parsed.success && parsed.data).toEqual(sample);
  });

  it('never accepts what the zod schema refuses, and whatever it accepts zod returns unchanged', () => {
    // Seeded, so a failure names a case that reproduces.
    const random = seededRandom(20261127);
    const small = { data: sample.data.slice(0, 4), time: sample.time };
    let accepted = 0;
    let refused = 0;
    for (let index = 0; index < 5_000; index += 1) {
      const candidate = mutate(small, random);
      const zod = xrayPayloadSchema.safeParse(candidate);
      if (isWellFormedPayload(candidate)) {
        accepted += 1;
        expect({ index, candidate, zodAccepts: zod.success }).toEqual({ index, candidate, zodAccepts: true });
        expect(zod.success && zod.data).toEqual(candidate);
      } else {
        refused += 1;
        // What it refuses goes to zod; it should only differ from zod where zod also refuses.
        if (zod.success) throw new Error(`refused a payload zod accepts: ${JSON.stringify(candidate)}`);
      }
    }
    // Both sides of the comparison were exercised.
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it('refuses a speed over MAX_SPEED, as zod does', () => {
    const withSpeed = (speed: number) => ({ data: [[0, [51.3, 12.3, speed]]], time: sample.time });
    expect(isWellFormedPayload(withSpeed(MAX_SPEED))).toBe(true);
    expect(xrayPayloadSchema.safeParse(withSpeed(MAX_SPEED)).success).toBe(true);
    for (const speed of [MAX_SPEED + 0.001, 1.7e308]) {
      expect(isWellFormedPayload(withSpeed(speed))).toBe(false);
      expect(xrayPayloadSchema.safeParse(withSpeed(speed)).success).toBe(false);
    }
  });

  it('refuses an offset outside the minute, as zod does', () => {
    const withOffset = (offsetMs: unknown) => ({ data: [[offsetMs, [51.3, 12.3, 1]]], time: sample.time });
    for (const offsetMs of [0, 59_999]) {
      expect(isWellFormedPayload(withOffset(offsetMs))).toBe(true);
      expect(xrayPayloadSchema.safeParse(withOffset(offsetMs)).success).toBe(true);
    }
    for (const offsetMs of [60_000, 3_000_000_000, 9e15, 2 ** 53, -1, 0.5]) {
      expect(isWellFormedPayload(withOffset(offsetMs))).toBe(false);
      expect(xrayPayloadSchema.safeParse(withOffset(offsetMs)).success).toBe(false);
    }
  });

  it('refuses more samples than a message may hold', () => {
    const sampleRow = sample.data[0];
    const tooMany = { data: Array.from({ length: MAX_SAMPLES_PER_MESSAGE + 1 }, () => sampleRow), time: sample.time };
    expect(isWellFormedPayload(tooMany)).toBe(false);
    expect(isWellFormedPayload({ ...tooMany, data: tooMany.data.slice(1) })).toBe(true);
  });
});
