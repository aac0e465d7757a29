import { bucketStartOf, sumHourFigures, trendLength, trendSeries, type HourFigures } from './rollup-aggregation';
import { TrendBucket } from './trend-bucket.enum';

const H = 3_600_000;
const T = Date.UTC(2026, 2, 1);

function hour(offsetHours: number, figures: Partial<HourFigures> = {}): HourFigures {
  return {
    hourStart: new Date(T + offsetHours * H),
    count: 1,
    dataVolume: 10,
    distanceMeters: 100,
    maxSpeed: 5,
    speedSum: 10,
    sampleCount: 4,
    ...figures,
  };
}

describe('sumHourFigures', () => {
  it('sums counts, volumes and distances, keeps the highest speed and weights the mean by samples', () => {
    const sum = sumHourFigures([
      hour(0),
      hour(1, { maxSpeed: 9, speedSum: 30, sampleCount: 6, firstSeen: new Date(5), lastSeen: new Date(9) }),
      hour(2, { firstSeen: new Date(3), lastSeen: new Date(4) }),
    ]);
    expect(sum).toEqual({
      signalCount: 3,
      dataVolume: 30,
      distanceMeters: 300,
      maxSpeed: 9,
      avgSpeed: 50 / 14,
      firstSeen: new Date(3),
      lastSeen: new Date(9),
    });
  });

  it('gives zeros and no dates for no buckets', () => {
    expect(sumHourFigures([])).toEqual({
      signalCount: 0,
      dataVolume: 0,
      distanceMeters: 0,
      maxSpeed: 0,
      avgSpeed: 0,
      firstSeen: null,
      lastSeen: null,
    });
  });
});

describe('trendSeries', () => {
  it('fills every hour of the range, empty ones with zeros', () => {
    const series = trendSeries([hour(0), hour(2, { count: 3 })], T + 10 * 60_000, T + 3 * H, TrendBucket.HOUR);
    expect(series.map((p) => [p.bucketStart.getTime() - T, p.count])).toEqual([
      [0, 1],
      [H, 0],
      [2 * H, 3],
    ]);
  });

  it('groups hours into UTC days', () => {
    const series = trendSeries([hour(1), hour(23), hour(25)], T, T + 48 * H, TrendBucket.DAY);
    expect(series.map((p) => p.count)).toEqual([2, 1]);
    expect(series[1]?.bucketStart).toEqual(new Date(T + 24 * H));
  });

  it('ignores hours outside the range', () => {
    expect(trendSeries([hour(-1), hour(5)], T, T + 2 * H, TrendBucket.HOUR).map((p) => p.count)).toEqual([0, 0]);
  });
});

describe('bucket arithmetic', () => {
  it('floors to the bucket and counts buckets touching [from, to)', () => {
    expect(bucketStartOf(T + 5 * H + 7, TrendBucket.DAY)).toBe(T);
    expect(trendLength(T + 30 * 60_000, T + 2 * H, TrendBucket.HOUR)).toBe(2);
    expect(trendLength(T, T + 2 * H + 1, TrendBucket.HOUR)).toBe(3);
    expect(trendLength(T, T, TrendBucket.HOUR)).toBe(0);
  });
});
