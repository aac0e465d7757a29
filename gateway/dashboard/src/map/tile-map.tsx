import 'leaflet/dist/leaflet.css';
import * as L from 'leaflet';
import { useEffect, useId, useMemo, useRef } from 'preact/hooks';
import { markerLabelOf } from './map-content';
import type { GeoMapProps, MapMarker } from './map-content';
import { boundsOutline, boundsSpanning, continuousLongitudes, longitudeSpan } from './projection';
import type { GeoBounds, LatLon } from './projection';

const MAX_ZOOM = 19;
/** Closest zoom a fit goes to (a few metres per pixel), so one point is not shown at the deepest tiles. */
const FIT_MAX_ZOOM = 16;
const FIT_PADDING_PX = 36;
/** A drag shorter than this (either way) is a click, not an area. */
const MIN_AREA_PX = 4;
const SVG_NS = 'http://www.w3.org/2000/svg';

interface ShownMarker {
  layer: L.Marker;
  /** The marker's own element inside Leaflet's icon: classes, data and accessible name live here. */
  element: HTMLDivElement;
  dot: SVGCircleElement;
  label: HTMLSpanElement;
}

interface TileMapLayers {
  map: L.Map;
  track: L.Polyline;
  trackStart: L.CircleMarker;
  trackEnd: L.CircleMarker;
  area: L.Rectangle;
  markers: Map<string, ShownMarker>;
  /** Fits the view to what is drawn; `follow` first makes the view track the data again. */
  fit(follow?: boolean): void;
}

/**
 * A Leaflet map over the configured raster tiles (pan, zoom, keyboard) with the same drawing as the
 * SVG map on top: device markers, a track, an area and the area-drawing drag. The view follows the
 * data until the user pans or zooms; "Show everything" makes it follow again.
 */
export function TileMap({
  title,
  markers,
  selectedId,
  track,
  area,
  onSelect,
  onAreaDrawn,
  tileUrl,
  tileAttribution,
  width = 1000,
  height = 600,
}: GeoMapProps & { tileUrl: string }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const layersRef = useRef<TileMapLayers | null>(null);
  const contentRef = useRef<LatLon[]>([]);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onAreaDrawnRef = useRef(onAreaDrawn);
  onAreaDrawnRef.current = onAreaDrawn;
  const keysId = useId();
  // Everything drawn goes on one continuous stretch of longitude, so a track or area across the
  // antimeridian is one piece (and fitted as such) rather than spanning the whole world.
  const place = useMemo(
    () => continuousLongitudes([...markers, ...(track ?? []), ...(area ? boundsOutline(area) : [])].map((p) => p.lon)),
    [markers, track, area],
  );
  const placed = (point: LatLon): L.LatLng => L.latLng(point.lat, place(point.lon));

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const map = L.map(host, { zoomControl: false, attributionControl: false, boxZoom: false, maxZoom: MAX_ZOOM });
    let following = true;
    let moving = false;
    const programmatic = (move: () => void): void => {
      moving = true;
      try {
        move();
      } finally {
        moving = false;
      }
    };
    const fit = (follow = false): void => {
      if (follow) following = true;
      if (!following) return;
      const points = contentRef.current;
      programmatic(() => {
        if (points.length === 0) map.setView([20, 0], 2, { animate: false });
        else
          map.fitBounds(L.latLngBounds(points.map(toLatLng)), {
            padding: [FIT_PADDING_PX, FIT_PADDING_PX],
            maxZoom: FIT_MAX_ZOOM,
            animate: false,
          });
      });
    };
    map.on('movestart zoomstart', () => {
      if (!moving) following = false;
    });

    L.control.zoom({ position: 'topleft' }).addTo(map);
    new FitControl(() => fit(true)).addTo(map);
    L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
    L.control.attribution({ prefix: false }).addTo(map);
    L.tileLayer(tileUrl, {
      maxZoom: MAX_ZOOM,
      ...(tileAttribution ? { attribution: escapeHtml(tileAttribution) } : {}),
    }).addTo(map);
    fit();

    const layers: TileMapLayers = {
      map,
      track: L.polyline([], { className: 'map-track', interactive: false }),
      trackStart: endOfTrack('track-start'),
      trackEnd: endOfTrack('track-end'),
      area: L.rectangle(L.latLngBounds([0, 0], [0, 0]), { className: 'map-area', interactive: false }),
      markers: new Map(),
      fit,
    };
    layersRef.current = layers;

    const resizes = new ResizeObserver(() => {
      map.invalidateSize({ pan: false });
      fit();
    });
    resizes.observe(host);
    return () => {
      resizes.disconnect();
      layersRef.current = null;
      map.remove();
    };
    // Built once: later props reach the map through the effects below (GeoMap remounts on new tile settings).
  }, []);

  const selectable = onSelect !== undefined;
  useEffect(() => {
    const layers = layersRef.current;
    if (!layers) return;
    const current = new Set<string>();
    for (const marker of markers) {
      current.add(marker.id);
      let shown = layers.markers.get(marker.id);
      if (shown) shown.layer.setLatLng(placed(marker));
      else {
        shown = createMarker(placed(marker), () => onSelectRef.current?.(marker.id));
        shown.layer.addTo(layers.map);
        layers.markers.set(marker.id, shown);
      }
      const selected = marker.id === selectedId;
      describeMarker(shown, marker, selected, selectable);
      shown.layer.setZIndexOffset(selected ? 1000 : 0);
    }
    for (const [id, shown] of layers.markers) {
      if (current.has(id)) continue;
      shown.layer.remove();
      layers.markers.delete(id);
    }
  }, [markers, selectedId, selectable, place]);

  useEffect(() => {
    const layers = layersRef.current;
    if (!layers) return;
    const points = (track ?? []).map(placed);
    const first = points[0];
    const last = points[points.length - 1];
    if (!first || !last) {
      for (const layer of [layers.track, layers.trackStart, layers.trackEnd]) layer.remove();
      return;
    }
    layers.track.setLatLngs(points).addTo(layers.map);
    layers.track.getElement()?.setAttribute('data-points', String(points.length));
    layers.trackStart.setLatLng(first).addTo(layers.map);
    layers.trackEnd.setLatLng(last).addTo(layers.map);
  }, [track, place]);

  useEffect(() => {
    const layers = layersRef.current;
    if (!layers) return;
    if (!area) {
      layers.area.remove();
      return;
    }
    // Eastward from the western edge: a box across the antimeridian is not drawn as the rest of the world.
    const west = place(area.minLon);
    layers.area
      .setBounds(L.latLngBounds([area.minLat, west], [area.maxLat, west + longitudeSpan(area)]))
      .addTo(layers.map);
    layers.area.getElement()?.setAttribute('aria-label', 'Signals filter area');
  }, [area, place]);

  useEffect(() => {
    const points: LatLon[] = [...markers, ...(track ?? [])];
    if (area) points.push(...boundsOutline(area));
    contentRef.current = points
      .filter((point) => Number.isFinite(point.lat) && Number.isFinite(point.lon))
      .map((point) => ({ lat: point.lat, lon: place(point.lon) }));
    layersRef.current?.fit();
  }, [markers, track, area, place]);

  // Another subject (e.g. another selected device) is worth a fresh view even after the user moved the map.
  useEffect(() => {
    layersRef.current?.fit(true);
  }, [title]);

  const drawing = onAreaDrawn !== undefined;
  useEffect(() => {
    const layers = layersRef.current;
    if (!layers || !drawing) return undefined;
    return startAreaDrawing(layers.map, (bounds) => onAreaDrawnRef.current?.(bounds));
  }, [drawing]);

  return (
    <figure class="geo-map">
      <div
        ref={hostRef}
        class="tile-map"
        role="group"
        aria-label={title}
        aria-describedby={keysId}
        style={{ aspectRatio: `${width} / ${height}` }}
      />
      <span id={keysId} class="visually-hidden">
        Arrow keys pan the map, plus and minus zoom.
      </span>
    </figure>
  );
}

/** A button that fits the view to everything drawn again. */
class FitControl extends L.Control {
  constructor(private readonly onFit: () => void) {
    super({ position: 'topleft' });
  }

  override onAdd(): HTMLElement {
    const bar = L.DomUtil.create('div', 'leaflet-bar map-fit-control');
    const button = L.DomUtil.create('button', 'map-fit', bar);
    button.type = 'button';
    button.title = 'Show everything';
    button.setAttribute('aria-label', 'Show everything on the map');
    button.innerHTML =
      '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4"/></svg>';
    L.DomEvent.disableClickPropagation(bar);
    L.DomEvent.on(button, 'click', () => this.onFit());
    return bar;
  }
}

/**
 * Dragging on the map outlines an area and hands its bounds over; the map does not pan meanwhile.
 * The corners are read unwrapped (the view may show longitudes beyond ±180) and the western one is
 * normalized with the drawn width kept: wrapping both corners would turn a box dragged from 170 to
 * 190 into -170..170, everything but what was drawn.
 */
function startAreaDrawing(map: L.Map, onDrawn: (bounds: GeoBounds) => void): () => void {
  const container = map.getContainer();
  const outline = L.rectangle(L.latLngBounds([0, 0], [0, 0]), { className: 'map-drag', interactive: false });
  let start: L.Point | null = null;

  const latLngAt = (point: L.Point): L.LatLng => map.containerPointToLatLng(point);
  const onDown = (event: PointerEvent): void => {
    if (event.button !== 0 || (event.target instanceof Element && event.target.closest('.leaflet-control'))) return;
    start = map.mouseEventToContainerPoint(event);
    container.setPointerCapture(event.pointerId);
  };
  const onMove = (event: PointerEvent): void => {
    if (!start) return;
    outline.setBounds(L.latLngBounds(latLngAt(start), latLngAt(map.mouseEventToContainerPoint(event)))).addTo(map);
  };
  const onUp = (event: PointerEvent): void => {
    if (!start) return;
    const end = map.mouseEventToContainerPoint(event);
    const from = start;
    start = null;
    outline.remove();
    if (Math.abs(end.x - from.x) <= MIN_AREA_PX || Math.abs(end.y - from.y) <= MIN_AREA_PX) return;
    const bounds = L.latLngBounds(latLngAt(from), latLngAt(end));
    onDrawn(
      boundsSpanning(bounds.getSouth(), bounds.getNorth(), bounds.getWest(), bounds.getEast() - bounds.getWest()),
    );
  };

  map.dragging.disable();
  container.classList.add('drawing');
  container.addEventListener('pointerdown', onDown);
  container.addEventListener('pointermove', onMove);
  container.addEventListener('pointerup', onUp);
  container.addEventListener('pointercancel', onUp);
  return () => {
    container.removeEventListener('pointerdown', onDown);
    container.removeEventListener('pointermove', onMove);
    container.removeEventListener('pointerup', onUp);
    container.removeEventListener('pointercancel', onUp);
    container.classList.remove('drawing');
    outline.remove();
    map.dragging.enable();
  };
}

/** A marker at `at` (the marker's position, placed on the map's continuous longitudes). */
function createMarker(at: L.LatLng, activate: () => void): ShownMarker {
  const element = document.createElement('div');
  element.className = 'map-marker';
  const icon = document.createElementNS(SVG_NS, 'svg');
  icon.setAttribute('viewBox', '-12 -12 24 24');
  icon.setAttribute('aria-hidden', 'true');
  const dot = document.createElementNS(SVG_NS, 'circle');
  icon.append(dot);
  const label = document.createElement('span');
  label.className = 'map-marker-label';
  element.append(icon, label);
  element.addEventListener('keydown', (event) => {
    if (element.getAttribute('role') !== 'button' || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    activate();
  });
  const layer = L.marker(at, {
    icon: L.divIcon({ className: 'map-marker-icon', html: element, iconSize: [24, 24], iconAnchor: [12, 12] }),
    keyboard: false,
  });
  layer.on('click', activate);
  return { layer, element, dot, label };
}

function describeMarker(shown: ShownMarker, marker: MapMarker, selected: boolean, selectable: boolean): void {
  const { element } = shown;
  element.classList.toggle('online', marker.online);
  element.classList.toggle('offline', !marker.online);
  element.classList.toggle('selected', selected);
  element.dataset['deviceId'] = marker.id;
  element.dataset['lat'] = String(marker.lat);
  element.dataset['lon'] = String(marker.lon);
  element.setAttribute('aria-label', markerLabelOf(marker, selected));
  if (selectable) {
    element.setAttribute('role', 'button');
    element.tabIndex = 0;
    element.setAttribute('aria-pressed', String(selected));
  } else {
    element.setAttribute('role', 'img');
    element.removeAttribute('tabindex');
    element.removeAttribute('aria-pressed');
  }
  shown.dot.setAttribute('r', selected ? '10' : '7');
  shown.label.textContent = marker.label;
}

function endOfTrack(className: string): L.CircleMarker {
  return L.circleMarker([0, 0], { className, radius: 5, stroke: false, fillOpacity: 1, interactive: false });
}

function toLatLng(point: LatLon): L.LatLng {
  return L.latLng(point.lat, point.lon);
}

/** Leaflet shows attributions as HTML; the configured one is plain text. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
