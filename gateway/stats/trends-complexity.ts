import type { ComplexityEstimator } from 'graphql-query-complexity';
import { flatListComplexity } from '../pagination/page-complexity';
import { MAX_TREND_POINTS, trendLength } from './rollup-aggregation';
import { TrendBucket } from './trend-bucket.enum';

/**
 * Cost of `trends`: one per hundred points of the series, like other lists of flat figures. A range
 * the resolver refuses (bad dates, too many points) costs 1: it is refused before reading anything.
 */
export const trendsComplexity: ComplexityEstimator = ({ args }) => {
  const from = args.from instanceof Date ? args.from.getTime() : Number.NaN;
  const to = args.to instanceof Date ? args.to.getTime() : Number.NaN;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return 1;
  const bucket = args.bucket === TrendBucket.DAY ? TrendBucket.DAY : TrendBucket.HOUR;
  // Past the resolver's own limit the range is refused, so its cost need not grow further.
  return flatListComplexity(Math.min(MAX_TREND_POINTS, trendLength(from, to, bucket)));
};
