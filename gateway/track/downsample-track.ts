import type { TrackPoint } from '../../schema';

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;
/** Points closer than this to their segment add nothing to the shape (floating-point noise). */
const ON_LINE_TOLERANCE_M = 1e-3;

interface Segment {
  start: number;
  end: number;
  /** Index of the farthest point strictly inside, or -1 when there is none. */
  split: number;
  distance: number;
}

/** Binary max-heap of segments by `distance`. */
class SegmentHeap {
  private readonly items: Segment[] = [];

  get size(): number {
    return this.items.length;
  }

  push(segment: Segment): void {
    const items = this.items;
    items.push(segment);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as Segment).distance >= segment.distance) break;
      items[i] = items[parent] as Segment;
      i = parent;
    }
    items[i] = segment;
  }

  pop(): Segment | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as Segment).distance > (items[left] as Segment).distance ? right : left;
      if ((items[child] as Segment).distance <= last.distance) break;
      items[i] = items[child] as Segment;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/**
 * Shape-preserving downsampling (Ramer–Douglas–Peucker, greedy form): starting from the first and
 * last points, repeatedly keeps the point farthest (in metres, local equirectangular projection)
 * from the segment it splits, until `maxPoints` are kept or the rest lie exactly on the line.
 * Returns the kept points in their original order; the ends are always kept.
 */
export function downsampleTrack(points: ReadonlyArray<TrackPoint>, maxPoints: number): TrackPoint[] {
  if (maxPoints < 2) throw new RangeError('maxPoints must be at least 2');
  if (points.length <= maxPoints) return [...points];
  const refLat = (points.reduce((sum, p) => sum + p.lat, 0) / points.length) * RAD;
  const cosRef = Math.cos(refLat);
  const xs = new Float64Array(points.length);
  const ys = new Float64Array(points.length);
  points.forEach((p, i) => {
    xs[i] = p.lon * RAD * cosRef * EARTH_RADIUS_M;
    ys[i] = p.lat * RAD * EARTH_RADIUS_M;
  });

  // The scan compares squared distances (no square root per point: it dominated the cost of a
  // 10,000-point track); the segment keeps the true distance of its farthest point.
  const segmentOf = (start: number, end: number): Segment => {
    const ax = xs[start] as number;
    const ay = ys[start] as number;
    const dx = (xs[end] as number) - ax;
    const dy = (ys[end] as number) - ay;
    const lengthSq = dx * dx + dy * dy;
    let split = -1;
    let farthestSq = -1;
    for (let i = start + 1; i < end; i += 1) {
      let px = (xs[i] as number) - ax;
      let py = (ys[i] as number) - ay;
      if (lengthSq !== 0) {
        const along = (px * dx + py * dy) / lengthSq;
        const t = along < 0 ? 0 : along > 1 ? 1 : along;
        px -= t * dx;
        py -= t * dy;
      }
      const distanceSq = px * px + py * py;
      if (distanceSq > farthestSq) {
        farthestSq = distanceSq;
        split = i;
      }
    }
    return { start, end, split, distance: split < 0 ? -1 : Math.sqrt(farthestSq) };
  };

  const kept = new Uint8Array(points.length);
  kept[0] = 1;
  kept[points.length - 1] = 1;
  let keptCount = 2;
  const heap = new SegmentHeap();
  heap.push(segmentOf(0, points.length - 1));
  while (keptCount < maxPoints && heap.size > 0) {
    const segment = heap.pop() as Segment;
    if (segment.split < 0 || segment.distance <= ON_LINE_TOLERANCE_M) continue;
    kept[segment.split] = 1;
    keptCount += 1;
    heap.push(segmentOf(segment.start, segment.split));
    heap.push(segmentOf(segment.split, segment.end));
  }
  return points.filter((_, i) => kept[i] === 1);
}
