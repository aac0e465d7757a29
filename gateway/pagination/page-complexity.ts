import type { ComplexityEstimator } from 'graphql-query-complexity';
import { MAX_POINTS_LIMIT } from '../signals/signal-points';

/** Ceiling on the multiplier, so an absurd `first` is still costed finitely (the resolver refuses it anyway). */
const MAX_MULTIPLIER = 10_000;

/** Cost of a connection field: its items times what each item selects. */
export const pageComplexity: ComplexityEstimator = ({ args, childComplexity }) => {
  const requested = [args.first, args.last].find((v): v is number => typeof v === 'number') ?? 20;
  return 1 + childComplexity * Math.min(MAX_MULTIPLIER, Math.max(1, requested));
};

/** Cost of a list of `count` flat figures (points, trend buckets): one per hundred. */
export function flatListComplexity(count: number): number {
  return 1 + Math.ceil(Math.min(MAX_MULTIPLIER, Math.max(0, count)) / 100);
}

/**
 * Cost of a list of points. Without `maxPoints` a signal's `points` are all its kept samples, as
 * many as the largest `maxPoints` allows.
 */
export const pointsComplexity: ComplexityEstimator = ({ args }) =>
  flatListComplexity(typeof args.maxPoints === 'number' ? args.maxPoints : MAX_POINTS_LIMIT);
