import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DeviceRangeQuery } from '../gql/graphql';

type TrendPoint = DeviceRangeQuery['trends'][number];

/** Signals and kilometres per hour, from the `trends` rollups. */
/** `HH:MM` (UTC), or the date `MM-DD` at midnight. */
function axisLabel(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16);
}

const HOUR_S = 3600;

/** The hours that hold signals, one hour of margin each side, within the asked range; the whole range when none do. */
function visibleSpan(points: readonly TrendPoint[], range: { from: string; to: string }): [number, number] {
  const from = Date.parse(range.from) / 1000;
  const to = Date.parse(range.to) / 1000;
  const starts = points.filter((point) => point.count > 0).map((point) => Date.parse(point.bucketStart) / 1000);
  if (starts.length === 0) return [from, to];
  return [Math.max(from, Math.min(...starts) - HOUR_S), Math.min(to, Math.max(...starts) + 2 * HOUR_S)];
}

export function TrendChart({
  points,
  title,
  range,
}: {
  points: readonly TrendPoint[];
  title: string;
  range: { from: string; to: string };
}) {
  const containerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return undefined;
    const data: uPlot.AlignedData = [
      points.map((point) => Date.parse(point.bucketStart) / 1000),
      points.map((point) => point.count),
      points.map((point) => point.distanceMeters / 1000),
    ];
    // Axis colours follow the page's (light or dark) theme.
    const style = getComputedStyle(container);
    const textColor = style.color;
    const gridColor = style.getPropertyValue('--border').trim() || '#d5dae1';
    const axis = { stroke: textColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const options: uPlot.Options = {
      // Ticks at UTC hours, as the labels are: in the browser's zone, +05:30 would tick at :30.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      width: Math.max(280, container.clientWidth),
      height: 240,
      scales: { x: { time: true, range: () => visibleSpan(points, range) } },
      series: [
        {
          label: 'Hour (UTC)',
          value: (_chart, seconds) =>
            seconds == null ? '--' : new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' '),
        },
        {
          label: 'Signals',
          scale: 'count',
          stroke: '#2563eb',
          width: 2,
          paths: uPlot.paths.bars?.({ size: [0.6, 40] }),
          fill: 'rgba(37,99,235,0.25)',
        },
        { label: 'Distance (km)', scale: 'km', stroke: '#dc2626', width: 2, points: { show: true } },
      ],
      axes: [
        { ...axis, values: (_chart, splits) => splits.map(axisLabel) },
        { ...axis, scale: 'count', label: 'Signals' },
        { ...axis, scale: 'km', side: 1, label: 'km', grid: { show: false } },
      ],
    };
    const chart = new uPlot(options, data, container);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(280, container.clientWidth), height: 240 }),
    );
    resize.observe(container);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [points, range]);

  return (
    <figure class="trend-chart">
      <figcaption>{title}</figcaption>
      <div ref={containerRef} role="img" aria-label={`${title}: ${points.length} hourly buckets`} />
      {points.length === 0 && <p class="hint">No data in this range.</p>}
    </figure>
  );
}
