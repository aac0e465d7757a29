import { useMemo, useRef, useState } from 'preact/hooks';
import type { SVGAttributes } from 'preact';
import { markerLabelOf } from './map-content';
import type { GeoMapProps } from './map-content';
import { boundsBetween, boundsOutline, fitProjection, projectBounds, scaleBarFor } from './projection';
import type { LatLon, ScreenPoint } from './projection';

/**
 * An SVG map in Web Mercator fitted to what it shows: markers, a track and an area. Needs nothing
 * from outside the page, so it is the map when no tile server is configured.
 */
export function SvgMap({
  title,
  markers,
  selectedId,
  track,
  area,
  onSelect,
  onAreaDrawn,
  width = 1000,
  height = 600,
}: Omit<GeoMapProps, 'tileUrl' | 'tileAttribution'>) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [dragStart, setDragStart] = useState<ScreenPoint | null>(null);
  const [dragEnd, setDragEnd] = useState<ScreenPoint | null>(null);

  const projection = useMemo(() => {
    const points: LatLon[] = [...markers, ...(track ?? [])];
    if (area) points.push(...boundsOutline(area));
    return fitProjection(points, width, height, 36);
  }, [markers, track, area, width, height]);

  const scaleBar = useMemo(() => scaleBarFor(projection), [projection]);
  const trackPath = useMemo(() => {
    if (!track || track.length === 0) return '';
    return track
      .map((point, index) => {
        const { x, y } = projection.project(point);
        return `${index === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join('');
  }, [projection, track]);

  function svgPoint(event: PointerEvent): ScreenPoint | null {
    const svg = svgRef.current;
    const matrix = svg?.getScreenCTM();
    if (!svg || !matrix) return null;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  const drawing = onAreaDrawn !== undefined;
  const drawHandlers: SVGAttributes<SVGSVGElement> = drawing
    ? {
        onPointerDown: (event) => {
          const point = svgPoint(event);
          if (!point) return;
          event.currentTarget.setPointerCapture(event.pointerId);
          setDragStart(point);
          setDragEnd(point);
        },
        onPointerMove: (event) => {
          if (dragStart) setDragEnd(svgPoint(event));
        },
        onPointerUp: (event) => {
          const end = svgPoint(event);
          if (dragStart && end && Math.abs(end.x - dragStart.x) > 4 && Math.abs(end.y - dragStart.y) > 4) {
            onAreaDrawn(boundsBetween(projection, dragStart, end));
          }
          setDragStart(null);
          setDragEnd(null);
        },
      }
    : {};

  // From the western edge eastward, so a box across the antimeridian is not drawn as the rest of the world.
  const areaRect = area ? projectBounds(projection, area) : null;
  const dragRect = dragStart && dragEnd ? rectOf(dragStart, dragEnd) : null;
  const trackEnds = track && track.length > 0 ? [track[0], track[track.length - 1]] : [];

  return (
    <figure class="geo-map">
      <svg
        ref={svgRef}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label={title}
        class={drawing ? 'drawing' : undefined}
        {...drawHandlers}
      >
        <rect class="map-background" x={0} y={0} width={width} height={height} />
        <Graticule width={width} height={height} />
        {areaRect && <rect class="map-area" {...areaRect} aria-label="Signals filter area" />}
        {trackPath && <path class="map-track" d={trackPath} data-points={track?.length} />}
        {trackEnds.map((point, index) => {
          if (!point) return null;
          const { x, y } = projection.project(point);
          return (
            <circle
              key={index}
              class={index === 0 ? 'track-start' : 'track-end'}
              cx={x}
              cy={y}
              r={5}
              aria-hidden="true"
            />
          );
        })}
        {markers.map((marker) => {
          const { x, y } = projection.project(marker);
          const selected = marker.id === selectedId;
          const activate = (): void => onSelect?.(marker.id);
          return (
            <g
              key={marker.id}
              class={`map-marker ${marker.online ? 'online' : 'offline'}${selected ? ' selected' : ''}`}
              transform={`translate(${x.toFixed(1)},${y.toFixed(1)})`}
              data-device-id={marker.id}
              data-lat={marker.lat}
              data-lon={marker.lon}
              role={onSelect ? 'button' : 'img'}
              tabIndex={onSelect ? 0 : undefined}
              aria-label={markerLabelOf(marker, selected)}
              aria-pressed={onSelect ? selected : undefined}
              onClick={activate}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  activate();
                }
              }}
            >
              <circle r={selected ? 10 : 7} />
              <text x={12} y={4}>
                {marker.label}
              </text>
            </g>
          );
        })}
        {dragRect && <rect class="map-drag" {...dragRect} />}
        <ScaleBar meters={scaleBar.meters} pixels={scaleBar.pixels} height={height} />
      </svg>
    </figure>
  );
}

function rectOf(a: ScreenPoint, b: ScreenPoint): { x: number; y: number; width: number; height: number } {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

function Graticule({ width, height }: { width: number; height: number }) {
  const lines = [];
  for (let x = 100; x < width; x += 100) lines.push(<line key={`x${x}`} x1={x} y1={0} x2={x} y2={height} />);
  for (let y = 100; y < height; y += 100) lines.push(<line key={`y${y}`} x1={0} y1={y} x2={width} y2={y} />);
  return (
    <g class="map-grid" aria-hidden="true">
      {lines}
    </g>
  );
}

function ScaleBar({ meters, pixels, height }: { meters: number; pixels: number; height: number }) {
  const label = meters >= 1000 ? `${meters / 1000} km` : `${meters} m`;
  const y = height - 16;
  return (
    <g class="map-scale" aria-label={`Scale: ${label}`}>
      <path d={`M16,${y - 6}V${y}H${16 + pixels}V${y - 6}`} />
      <text x={16 + pixels / 2} y={y - 10} text-anchor="middle">
        {label}
      </text>
    </g>
  );
}
