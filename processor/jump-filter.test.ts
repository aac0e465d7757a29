import { seededRandom } from '../ingest/simulator/seeded-random';
import { loadSampleXRay } from '../test/support/sample-xray';
import { haversineMeters } from './haversine';
import { filterJumps, impliedSpeedKmh } from './jump-filter';
import { unwrapSampleTimes, type TimedSample } from './sample-timeline';

const at = (seconds: number, lat: number, lon = 0): TimedSample => ({ time: seconds * 1000, lat, lon, speed: 1 });
/** Degrees of latitude covering `meters`. */
const degreesFor = (meters: number) => meters / 111_195.08;
/** A walk north from 51.34, 12.34: one fix a second, 5.6 m apart (20 km/h), starting at second `from`. */
const walk = (from: number, count: number): TimedSample[] =>
  Array.from({ length: count }, (_, i) => at(from + i, 51.34 + (from + i) * 0.00005, 12.34));
const distanceOf = (track: ReadonlyArray<TimedSample>) =>
  track.reduce((sum, sample, i) => (i === 0 ? 0 : sum + haversineMeters(track[i - 1] as TimedSample, sample)), 0);
const secondsOf = (track: ReadonlyArray<TimedSample>) => track.map((sample) => sample.time / 1000);

describe('filterJumps', () => {
  it('keeps samples moving below the limit', () => {
    const samples = [at(0, 0), at(1, degreesFor(20)), at(2, degreesFor(40))];
    expect(filterJumps(samples, 300)).toEqual({ kept: samples, droppedSamples: 0 });
  });

  it('drops a sample whose implied speed exceeds the limit and counts it', () => {
    const jump = at(1, degreesFor(1_000)); // 1 km in 1 s = 3,600 km/h
    const result = filterJumps([at(0, 0), jump, at(2, degreesFor(10))], 300);
    expect(result.kept).not.toContain(jump);
    expect(result.kept).toHaveLength(2);
    expect(result.droppedSamples).toBe(1);
  });

  it('measures from the previous KEPT sample, so a return from an outlier is kept', () => {
    const samples = [at(0, 0), at(1, 1), at(2, 2), at(3, degreesFor(30))];
    const result = filterJumps(samples, 300);
    expect(result.kept.map((s) => s.time)).toEqual([0, 3000]);
    expect(result.droppedSamples).toBe(2);
  });

  it('honours a configured limit', () => {
    const samples = [at(0, 0), at(1, degreesFor(50))]; // 180 km/h
    expect(filterJumps(samples, 300).droppedSamples).toBe(0);
    expect(filterJumps(samples, 100).droppedSamples).toBe(1);
  });

  it('keeps a lone sample', () => {
    expect(filterJumps([at(0, 89)], 1).kept).toHaveLength(1);
  });

  it('drops a bad first fix instead of the good samples after it', () => {
    const good = walk(1, 10);
    const result = filterJumps([at(0, 0, 0), ...good], 300);
    expect(result).toEqual({ kept: good, droppedSamples: 1 });
    expect(distanceOf(result.kept)).toBeCloseTo(50.04, 2);
  });

  it('drops several bad first fixes that agree with each other once more samples contradict them', () => {
    const good = walk(3, 4);
    expect(filterJumps([at(0, 0, 0), at(1, 0, 0), at(2, 0, 0), ...good], 300)).toEqual({
      kept: good,
      droppedSamples: 3,
    });
  });

  it('drops a bad last fix', () => {
    const good = walk(0, 10);
    expect(filterJumps([...good, at(10, 0, 0)], 300)).toEqual({ kept: good, droppedSamples: 1 });
  });

  it('drops a single outlier in the middle and keeps its successor', () => {
    const [before, after] = [walk(0, 5), walk(6, 5)];
    const result = filterJumps([...before, at(5, 0, 0), ...after], 300);
    expect(result).toEqual({ kept: [...before, ...after], droppedSamples: 1 });
  });

  it('drops two consecutive outliers, whether they scatter or agree with each other', () => {
    const [before, after] = [walk(0, 5), walk(7, 5)];
    const scattered = [at(5, 0, 0), at(6, 10, 10)];
    const agreeing = [at(5, 0, 0), at(6, 0, 0)];
    for (const outliers of [scattered, agreeing]) {
      expect(filterJumps([...before, ...outliers, ...after], 300)).toEqual({
        kept: [...before, ...after],
        droppedSamples: 2,
      });
    }
  });

  it('keeps every sample of the real device sample', () => {
    const { message, deviceId } = loadSampleXRay();
    const payload = message[deviceId];
    if (payload === undefined) throw new Error('no payload');
    const samples = unwrapSampleTimes(payload.time, payload.data);
    expect(filterJumps(samples, 300)).toEqual({ kept: samples, droppedSamples: 0 });
  });

  it('keeps good first fixes a larger burst of agreeing bad fixes displaced, once the track outgrows the burst', () => {
    // 3 good fixes, 4 fixes 50 km off that agree with each other, then the walk goes on.
    const start = walk(0, 3);
    const burst = Array.from({ length: 4 }, (_, i) => at(3 + i, 51.34 + degreesFor(50_000), 12.34));
    const rest = walk(7, 20);
    const result = filterJumps([...start, ...burst, ...rest], 300);
    expect(result).toEqual({ kept: [...start, ...rest], droppedSamples: 4 });
    // A burst that stays the larger track still wins over the start.
    expect(filterJumps([...start, ...burst], 300)).toEqual({ kept: burst, droppedSamples: 3 });
  });

  it('resumes after a genuine leap once the leap is reachable from the last kept sample', () => {
    // GPS reacquired 1.99 km on after a tunnel, fixes every second: at 300 km/h that takes 23.9 s.
    const before = walk(0, 30);
    const last = before[before.length - 1] as TimedSample;
    const after = Array.from({ length: 30 }, (_, i) => at(30 + i, last.lat + degreesFor(1_990), 12.34));
    const result = filterJumps([...before, ...after], 300);
    expect(result.droppedSamples).toBe(23);
    expect(secondsOf(result.kept)).toEqual([...secondsOf(before), ...secondsOf(after.slice(23))]);
    expect(impliedSpeedKmh(last, after[23] as TimedSample)).toBeLessThanOrEqual(300);
  });

  it('keeps the side of a leap with more samples when the leap stays unreachable', () => {
    const [here, there] = [walk(0, 4), walk(4, 5).map((s) => ({ ...s, lon: 13.34 }))]; // 70 km apart
    expect(filterJumps([...here, ...there], 300)).toEqual({ kept: there, droppedSamples: 4 });
    expect(filterJumps([...here, ...there.slice(0, 4)], 300)).toEqual({ kept: here, droppedSamples: 4 });
  });

  it('keeps only tracks reachable sample to sample, in order, and counts every sample', () => {
    const random = seededRandom(20260611);
    for (let round = 0; round < 200; round += 1) {
      const samples = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) =>
        random() < 0.2 ? at(i, random() * 10, random() * 10) : at(i, 51.34 + i * 0.00005, 12.34),
      );
      const { kept, droppedSamples } = filterJumps(samples, 300);
      expect(kept.length + droppedSamples).toBe(samples.length);
      expect(kept.length).toBeGreaterThan(0);
      kept.forEach((sample, i) => {
        const previous = kept[i - 1];
        if (previous === undefined) return;
        expect(sample.time).toBeGreaterThan(previous.time);
        expect(impliedSpeedKmh(previous, sample)).toBeLessThanOrEqual(300);
      });
    }
  });

  it('treats a move at the same instant as infinitely fast, standing still as 0', () => {
    expect(impliedSpeedKmh(at(5, 0), at(5, 0))).toBe(0);
    expect(impliedSpeedKmh(at(5, 0), at(5, 0.001))).toBe(Number.POSITIVE_INFINITY);
  });
});
