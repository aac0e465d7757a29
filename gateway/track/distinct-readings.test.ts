import { distinctReadings } from './distinct-readings';

describe('distinctReadings', () => {
  const at = (time: number, lat = 45, lon = 7, speed = 1) => ({ time, lat, lon, speed });

  it('drops the second copy of each re-sent reading and keeps the order', () => {
    const first = [at(0, 45.0), at(1000, 45.001), at(2000, 45.002)];
    const resent = [...first, at(3000, 45.003)];
    const merged = [...first, ...resent].sort((a, b) => a.time - b.time);
    expect(distinctReadings(merged)).toEqual(resent);
  });

  it('keeps different readings at the same time', () => {
    const points = [at(0, 45), at(0, 46), at(0, 46, 7, 2), at(1000)];
    expect(distinctReadings(points)).toEqual(points);
  });

  it('drops copies of a reading interleaved with other readings of the same instant', () => {
    const first = [at(0, 1, 1, 5), at(0, 1, 1, 6), at(1000, 1, 1.00001, 5)];
    const resent = [...first, at(2000, 1, 1.00002, 5)];
    const merged = [...first, ...resent].sort((a, b) => a.time - b.time);
    expect(distinctReadings(merged)).toEqual(resent);
  });
});
