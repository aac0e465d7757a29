import { filterJumps, impliedSpeedKmh } from './jump-filter';
import type { TimedSample } from './sample-timeline';

const at = (seconds: number, lat: number, lon = 0): TimedSample => ({ time: seconds * 1000, lat, lon, speed: 1 });
/** Degrees of latitude covering `meters`. */
const degreesFor = (meters: number) => meters / 111_195.08;

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

  it('always keeps the first sample', () => {
    expect(filterJumps([at(0, 89)], 1).kept).toHaveLength(1);
  });

  it('treats a move at the same instant as infinitely fast, standing still as 0', () => {
    expect(impliedSpeedKmh(at(5, 0), at(5, 0))).toBe(0);
    expect(impliedSpeedKmh(at(5, 0), at(5, 0.001))).toBe(Number.POSITIVE_INFINITY);
  });
});
